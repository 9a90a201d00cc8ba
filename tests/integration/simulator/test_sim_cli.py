"""`calipso sim` as a user runs it: a foreground process that writes a valid environment config,
stops cleanly on SIGTERM and releases its ports; bad parameters get one line and exit code 2."""

from __future__ import annotations

import json
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests

from app.envconfig.catalog import Catalog
from app.envconfig.validate import validate_environment

CALIPSO = [sys.executable, "-m", "app.cli.main"]
ROOT = Path(__file__).resolve().parents[3]


def sim(*args, **kw) -> subprocess.CompletedProcess:
    return subprocess.run(CALIPSO + ["sim", *args], capture_output=True, text=True, timeout=60, cwd=ROOT, **kw)


def wait_for(path: Path, proc: subprocess.Popen, timeout: float = 30) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if path.exists():
            return json.loads(path.read_text())
        if proc.poll() is not None:
            raise AssertionError(f"calipso sim exited early: {proc.stderr.read()}")
        time.sleep(0.1)
    raise AssertionError("no environment config written")


@pytest.fixture(scope="module")
def running(tmp_path_factory):
    state = tmp_path_factory.mktemp("sim-state")
    proc = subprocess.Popen(CALIPSO + ["sim", "--state-dir", str(state), "--hosts", "2", "--seed", "5",
                                       "--name", "cli-sim"], cwd=ROOT, stderr=subprocess.PIPE, text=True)
    doc = wait_for(state / "environment_config.json", proc)
    yield proc, doc, state
    if proc.poll() is None:
        proc.kill()
        proc.wait()


def section(doc: dict, name: str) -> dict:
    return next(s for s in doc["configuration"] if s["name"] == name)


def test_the_written_config_is_valid_and_points_at_answering_endpoints(running):
    proc, doc, state = running
    env = validate_environment(doc, Catalog.from_seed())
    assert env["name"] == "cli-sim" and env["listen"] is True and env["mechanism_drivers"] == ["OVS"]
    assert env["distribution"] == "Devstack" and env["distribution_version"] == "zed"
    ks = section(doc, "OpenStack")
    r = requests.post(f"http://{ks['host']}:{ks['port']}/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": ks["user"], "password": ks["pwd"],
                                                       "domain": {"id": "default"}}}},
        "scope": {"project": {"name": ks["admin_project"], "domain": {"id": "default"}}}}}, timeout=5)
    assert r.status_code == 201
    amqp = section(doc, "AMQP")
    assert amqp["url"] == f"filesystem://{(state / 'amqp').resolve()}"
    for name in ("mysql", "CLI"):
        s = section(doc, name)
        with socket.create_connection((s["host"], s["port"]), timeout=5):
            pass
    assert oct((state / "environment_config.json").stat().st_mode & 0o777) == "0o600"


def test_sigterm_stops_cleanly_and_releases_the_ports(running):
    proc, doc, _ = running
    ports = [(s["host"], s["port"]) for s in doc["configuration"] if s.get("port")]
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(timeout=20) == 0
    for host, port in ports:
        with pytest.raises(OSError):
            socket.create_connection((host, port), timeout=2).close()


@pytest.mark.parametrize("args,message", [
    (["--hosts", "0", "--instances", "3"], "0 compute hosts"),
    (["--mechanism-driver", "ovn"], "unknown driver"),
    (["--type-driver", "geneva"], "unknown type driver"),
    (["--hosts", "many"], "not a whole number"),
    (["--fault", "nohost:down"], "neither a simulated host"),
    (["--latency", "api=fast"], "not a number"),
    (["--heartbeat", "0.01"], "--heartbeat must be at least 0.1 seconds"),
])
def test_impossible_parameters_get_one_line_and_exit_2(tmp_path, args, message):
    r = sim("--state-dir", str(tmp_path), *args)
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0], r.stderr
    assert not (tmp_path / "environment_config.json").exists()


def test_a_busy_port_is_one_line_and_exit_2(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        r = sim("--state-dir", str(tmp_path), "--keystone-port", str(busy.getsockname()[1]))
    assert r.returncode == 2
    lines = r.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot start the openstack server" in lines[0], r.stderr


def test_same_seed_same_model_other_seed_other_model(tmp_path):
    files = []
    for seed in ("9", "9", "10"):
        f = tmp_path / f"model-{len(files)}.json"
        assert sim("--dump-model", str(f), "--seed", seed, "--hosts", "3", "--instances", "5").returncode == 0
        files.append(json.loads(f.read_text()))
    assert files[0] == files[1]
    assert files[0]["instances"] and files[0]["instances"] != files[2]["instances"]
    assert {i["id"] for i in files[0]["instances"]}.isdisjoint({i["id"] for i in files[2]["instances"]})
