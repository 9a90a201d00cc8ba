"""The embedded store as processes see it: one server for many callers, data kept across stops and kills,
and a one-line error (exit code 2, nothing half-written) for each kind of bad setup."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pymongo
import pytest

from app.store.embedded import EmbeddedStore, pid_alive
from tests.ports import spare_port

CALIPSO = [sys.executable, "-m", "app.cli.main"]
ROOT = Path(__file__).resolve().parents[3]


def run(args: list[str], home: Path | str, extra_env: dict | None = None, timeout: float = 60) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALIPSO_")}
    env.update({"CALIPSO_HOME": str(home), **(extra_env or {})})
    return subprocess.run(CALIPSO + args, env=env, cwd=ROOT, capture_output=True, text=True, timeout=timeout)


@pytest.fixture
def home(tmp_path):
    yield tmp_path / "home"
    EmbeddedStore(tmp_path / "home").stop()


def test_four_concurrent_callers_get_one_server(home):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALIPSO_")}
    env["CALIPSO_HOME"] = str(home)
    procs = [subprocess.Popen(CALIPSO + ["store", "uri"], env=env, cwd=ROOT, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True) for _ in range(4)]
    outs = [p.communicate(timeout=90) for p in procs]
    assert all(p.returncode == 0 for p in procs), [o[1] for o in outs]
    uris = {o[0].strip() for o in outs}
    assert len(uris) == 1, f"one server expected, got {uris}"
    servers = [line for line in subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True).stdout.splitlines()
               if "app.store.embedded_server" in line and str(home) in line]
    assert len(servers) == 1, servers


def test_data_survives_stop_start_and_kill_9(home):
    uri = run(["store", "uri"], home).stdout.strip()
    client = pymongo.MongoClient(uri)
    client.calipso.keep.insert_many([{"n": i} for i in range(100)])
    client.close()
    assert run(["store", "stop"], home).returncode == 0
    uri = run(["store", "uri"], home).stdout.strip()
    client = pymongo.MongoClient(uri)
    assert client.calipso.keep.estimated_document_count() == 100
    client.calipso.keep.insert_one({"n": 100})
    client.close()
    state = json.loads((home / "store" / "state.json").read_text())
    os.kill(state["pid"], signal.SIGKILL)
    deadline = time.monotonic() + 10
    while pid_alive(state["pid"]) and time.monotonic() < deadline:
        time.sleep(0.05)
    status = run(["store", "status"], home)
    assert status.returncode == 1 and "not running" in status.stdout
    uri = run(["store", "uri"], home).stdout.strip()
    client = pymongo.MongoClient(uri)
    assert client.calipso.keep.estimated_document_count() == 101
    client.close()
    assert run(["store", "status"], home).returncode == 0


def _assert_one_line_error(res: subprocess.CompletedProcess, *needles: str) -> None:
    assert res.returncode == 2, (res.returncode, res.stdout, res.stderr)
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert "Traceback" not in res.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]


def test_unreadable_mongo_config_file(home, tmp_path):
    res = run(["-m", str(tmp_path / "missing.conf"), "env", "list"], home)
    _assert_one_line_error(res, "cannot read MongoDB config file", "missing.conf")
    bad = tmp_path / "bad.conf"
    bad.write_text("server 127.0.0.1\nprot 27017\n")
    _assert_one_line_error(run(["-m", str(bad), "env", "list"], home), "bad.conf:2", "unknown key 'prot'")
    assert not (home / "store").exists(), "nothing was started or written"


def test_unreachable_mongodb_uri(home):
    port = spare_port()     # nothing listens there, and no outgoing connection takes it meanwhile
    res = run(["env", "list"], home, {"CALIPSO_MONGO_URI": f"mongodb://admin:Sekr3t-pass@127.0.0.1:{port}/calipso"},
              timeout=60)
    _assert_one_line_error(res, "cannot reach MongoDB", f"127.0.0.1:{port}", "CALIPSO_MONGO_URI")
    assert "Sekr3t-pass" not in res.stderr, "the password is never shown"


def test_data_dir_that_cannot_be_written(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    res = run(["store", "uri"], blocker / "home")
    _assert_one_line_error(res, "is not writable", str(blocker))


def test_port_in_use(home):
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        s.listen()
        port = s.getsockname()[1]
        res = run(["store", "uri"], home, {"CALIPSO_STORE_PORT": str(port)})
    _assert_one_line_error(res, f"port {port}", "already in use")
    assert not (home / "store" / "state.json").exists()


def test_corrupt_state_file_then_reset_by_stop(home):
    (home / "store").mkdir(parents=True)
    (home / "store" / "state.json").write_text("{not json")
    _assert_one_line_error(run(["store", "uri"], home), "state file", "corrupt", "calipso store stop")
    assert run(["store", "stop"], home).returncode == 0
    res = run(["store", "uri"], home)
    assert res.returncode == 0 and res.stdout.startswith("mongodb://127.0.0.1:")
