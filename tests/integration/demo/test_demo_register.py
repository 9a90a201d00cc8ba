"""A restarted demo refreshes its environment from the new simulated cloud but keeps the rights given on it."""

from __future__ import annotations

import json
from pathlib import Path

from demo.cli import ENV, register
from app.envconfig.repository import EnvironmentConfigs

SAMPLE = Path(__file__).resolve().parents[2] / "fixtures" / "environment_config.json"


def test_restarting_the_demo_keeps_the_rights_given_on_its_environment(initialized_store):
    doc = {**json.loads(SAMPLE.read_text()), "name": ENV}
    doc.pop("auth")                                   # the simulated cloud's document gives no rights
    register(initialized_store, doc)
    envs = EnvironmentConfigs(initialized_store)
    envs.replace(ENV, {**envs.get(ENV), "auth": {"view-env": ["alice"], "edit-env": ["bob"]}})
    fresh = json.loads(json.dumps(doc))
    fresh["configuration"][0]["port"] = 5999        # the new simulated cloud listens elsewhere
    register(initialized_store, fresh)
    after = envs.get(ENV)
    assert after["auth"] == {"view-env": ["alice"], "edit-env": ["bob"]}
    assert after["configuration"][0]["port"] == 5999
