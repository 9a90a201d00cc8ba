"""End to end, as a user runs it: `calipso sim` (a separate process), `calipso env add`,
`calipso scan` and `python3 scan/scan.py`; the report is stored with the scan."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from app.store.store import Store, StoreLocation
from tests.scan_support.sim import sim_command_available, start_subprocess


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    if not sim_command_available():
        pytest.skip("`calipso sim` is not registered")
    s = start_subprocess("sim-ovs", tmp_path_factory.mktemp("sim"), args=["--hosts", "2", "--instances", "3"])
    yield s
    s.stop()


def calipso(cli_env, *args, timeout=300):
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], env=cli_env, capture_output=True,
                          text=True, timeout=timeout)


def test_env_add_then_scan_with_both_commands(sim, cli_env, tmp_path):
    f = tmp_path / "env.json"
    f.write_text(json.dumps(sim.env))
    r = calipso(cli_env, "env", "add", str(f))
    assert r.returncode == 0, r.stderr
    r = calipso(cli_env, "scan", "-e", "sim-ovs")
    assert r.returncode == 0, r.stderr
    assert "scan of sim-ovs completed" in r.stdout and "cliques" in r.stdout
    r2 = subprocess.run([sys.executable, "scan/scan.py", "-e", "sim-ovs", "--links_only"], env=cli_env,
                        capture_output=True, text=True, timeout=300)
    assert r2.returncode == 0, r2.stderr
    pwd = next(s["pwd"] for s in sim.env["configuration"] if s["name"] == "CLI")
    assert pwd not in r.stdout + r.stderr + r2.stdout + r2.stderr
    store = Store.connect(StoreLocation(cli_env["CALIPSO_MONGO_URI"], "test"))
    try:
        scans = list(store["scans"].find({"environment": "sim-ovs"}).sort("submit_timestamp", 1))
        assert [s["status"] for s in scans] == ["completed", "completed"]
        report = scans[0]["report"]
        assert report["objects"]["instance"] == 3 and report["remote_calls"]["SSH"]["calls"] > 0
        assert set(report["phases"]) == {"access", "inventory", "links", "cliques", "write"}
        # SSH sessions are pooled: a handful of connections to the master carried every command
        assert 1 <= report["ssh_connections"] <= 8 < report["remote_calls"]["SSH"]["calls"]
        assert store["environments_config"].find_one({"name": "sim-ovs"})["scanned"]
    finally:
        store.close()


def test_scan_of_an_invalid_environment_fails_at_once(sim, cli_env):
    store = Store.connect(StoreLocation(cli_env["CALIPSO_MONGO_URI"], "test"))
    try:
        bad = {**sim.env, "name": "broken", "mechanism_drivers": ["NoSuchDriver"]}
        store["environments_config"].insert_one(bad)     # written behind the validator's back
    finally:
        store.close()
    r = calipso(cli_env, "scan", "-e", "broken")
    assert r.returncode == 1 and "fails validation" in r.stderr and "mechanism_drivers" in r.stderr
