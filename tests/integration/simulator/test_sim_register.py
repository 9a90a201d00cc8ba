"""`calipso sim --register`, `--bind`, `--advertise` and `--port`: what the container stack relies on."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import pytest

from app.envconfig.repository import EnvironmentConfigs
from simulator.register import register
from tests.ports import spare_port

FIXTURE = Path(__file__).parents[2] / "fixtures" / "environment_config.json"


def test_register_adds_then_replaces_and_keeps_the_rights_given(initialized_store, tmp_path):
    doc = json.loads(FIXTURE.read_text())
    assert register(initialized_store, doc) == "added"
    envs = EnvironmentConfigs(initialized_store)
    envs.set_fields(doc["name"], {"auth": {"view-env": ["alice"], "edit-env": []}})
    assert register(initialized_store, doc) == "replaced"
    assert envs.get(doc["name"])["auth"] == {"view-env": ["alice"], "edit-env": []}


def test_bad_port_option_is_refused_with_what_is_wrong(tmp_path, cli_env):
    r = subprocess.run([sys.executable, "-m", "app.cli.main", "sim", "--state-dir", str(tmp_path),
                        "--port", "ssh=99999"], env=cli_env, capture_output=True, text=True, timeout=60)
    assert r.returncode != 0
    assert "--port 'ssh=99999'" in r.stderr and "keystone, nova, neutron, mysql, ssh, apic" in r.stderr


def _start_registering_sim(tmp_path, cli_env, ssh: int, mysql: int) -> tuple[subprocess.Popen, list[str]]:
    """Start the simulator and read its stderr up to the registration line (or its exit)."""
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "sim", "--state-dir", str(tmp_path),
                             "--hosts", "1", "--bind", "0.0.0.0", "--advertise", "localhost",
                             "--port", f"ssh={ssh}", "--port", f"mysql={mysql}", "--register", "--name", "reg-sim"],
                            env=cli_env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    lines: list[str] = []
    deadline = time.monotonic() + 60
    while not any("in the store" in line for line in lines) and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line and proc.poll() is not None:
            break
        lines.append(line)
    return proc, lines


@pytest.mark.slow
def test_advertised_host_and_fixed_ports_reach_the_config_and_the_store(tmp_path, cli_env):
    ssh, mysql = spare_port(), spare_port()   # outside the range outgoing connections take ports from
    proc, lines = _start_registering_sim(tmp_path, cli_env, ssh, mysql)
    try:
        assert proc.poll() is None, "the simulator exited before registering:\n" + "".join(lines)
        assert "environment reg-sim added in the store" in lines[-1], "".join(lines)
        config = json.loads((tmp_path / "environment_config.json").read_text())
        sections = {s["name"]: s for s in config["configuration"]}
        assert (sections["CLI"]["host"], sections["CLI"]["port"]) == ("localhost", ssh)
        assert (sections["mysql"]["host"], sections["mysql"]["port"]) == ("localhost", mysql)
        assert sections["OpenStack"]["host"] == "localhost"
        known_hosts = (tmp_path / "ssh" / "known_hosts").read_text()
        assert known_hosts.startswith(f"[localhost]:{ssh} ")
    finally:
        proc.terminate()
        proc.wait(timeout=30)
