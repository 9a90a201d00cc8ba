"""A connection test holds the tested sections' secrets only while it waits for a scan manager."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

from app.envconfig.repository import EnvironmentConfigs
from scan.controller import ScanResult
from scan.manager import ScanManager

FIXTURE = Path(__file__).resolve().parents[2] / "fixtures" / "environment_config.json"
SECRET, OLD_SECRET = "Planted-Os-pw-41f", "Planted-Ssh-pw-9c2"


def _stored_text(store) -> str:
    return json.dumps(list(store["connection_tests"].find()), default=str)


def test_answered_and_abandoned_tests_keep_no_secret(initialized_store):
    coll = initialized_store["connection_tests"]
    now = datetime.now(timezone.utc)
    fresh = coll.insert_one({"environment": "x", "status": "request", "submit_timestamp": now,
                             "test_targets": ["OpenStack"], "targets_configuration": [
                                 {"name": "OpenStack", "host": "127.0.0.1", "port": 9, "user": "admin",
                                  "pwd": SECRET, "admin_token": SECRET + "-tok"}]}).inserted_id
    old = coll.insert_one({"environment": "x", "status": "request", "submit_timestamp": now - timedelta(hours=2),
                           "test_targets": ["CLI"], "targets_configuration": [
                               {"name": "CLI", "host": "127.0.0.1", "port": 9, "user": "root", "pwd": OLD_SECRET}]}
                          ).inserted_id
    ScanManager(initialized_store, owner="m", run_scan=lambda *a: ScanResult("completed")).tick()
    answered, abandoned = coll.find_one({"_id": fresh}), coll.find_one({"_id": old})
    assert answered["status"] == "response" and answered["test_results"] == {"OpenStack": False}
    assert answered["targets_configuration"][0]["user"] == "admin"      # what was tested is still shown
    assert abandoned["status"] == "response" and "no scan manager answered" in abandoned["errors"]["CLI"]
    assert SECRET not in _stored_text(initialized_store) and OLD_SECRET not in _stored_text(initialized_store)


def test_deleting_an_environment_deletes_its_waiting_tests_and_their_secrets(initialized_store):
    envs = EnvironmentConfigs(initialized_store)
    doc = json.loads(FIXTURE.read_text())
    envs.add(doc)
    initialized_store["connection_tests"].insert_one({
        "environment": doc["name"], "status": "request", "submit_timestamp": datetime.now(timezone.utc),
        "test_targets": ["CLI"], "targets_configuration": [{"name": "CLI", "host": "h", "user": "u", "pwd": SECRET}]})
    envs.delete(doc["name"])
    assert SECRET not in _stored_text(initialized_store)
