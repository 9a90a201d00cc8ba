"""The store dies under running services: they wait for it, bring the embedded store back on its port,
and serve again with no restart; with the store gone for good, SIGTERM still stops them at once."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import requests

from app.store.embedded import EmbeddedStore
from tests.ports import spare_port

ROOT = Path(__file__).resolve().parents[3]


def _spawn(env: dict, *args: str, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli.main", *args], env=env, cwd=ROOT,
                            stdin=subprocess.DEVNULL, stdout=open(log, "wb"), stderr=subprocess.STDOUT)


def _wait_http(url: str, auth, timeout: float) -> requests.Response:
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = requests.get(url, auth=auth, timeout=5)
            if last.status_code < 500:
                return last
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise AssertionError(f"{url} did not answer below 500 within {timeout} s: {last and last.status_code}")


def _wait_logged(log: Path, *words: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while not any(all(w in line for w in words) for line in log.read_text(errors="replace").splitlines()):
        assert time.monotonic() < deadline, f"{log.name} never said {' '.join(words)!r}"
        time.sleep(0.2)


def _stop(procs) -> None:
    for p in procs:
        if p.poll() is None:
            p.kill()
            p.wait()


def _password(store_home: Path) -> str:
    from api.auth.users import Users
    from app.store.store import Store, StoreLocation

    store = Store.connect(StoreLocation(EmbeddedStore(store_home).ensure_running(), "test"))
    try:
        from app.store.init import init_db
        init_db(store)
        users = Users(store, rounds=4)
        users.add("ops", "Ops-pass-123", admin=True)
    finally:
        store.close()
    return "Ops-pass-123"


def test_services_come_back_by_themselves_after_the_store_is_killed(tmp_path):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALIPSO_")}
    env["CALIPSO_HOME"] = str(home)
    password = _password(home)
    port = spare_port()
    procs = [_spawn(env, "api", "--bind", f"127.0.0.1:{port}", "--workers", "1", log=tmp_path / "api.log"),
             _spawn(env, "scan-manager", "-i", "0.2", log=tmp_path / "manager.log"),
             _spawn(env, "listen", "-i", "0.5", log=tmp_path / "listen.log")]
    url, auth = f"http://127.0.0.1:{port}", ("ops", password)
    try:
        assert _wait_http(f"{url}/health", auth, 60).status_code == 200
        # the scan manager and the listener past their start-up: this test is about running services (a store
        # that dies while a service initialises it is tests/integration/store/test_store_startup_outage.py)
        _wait_logged(tmp_path / "manager.log", "scan manager", "started", timeout=60)
        _wait_logged(tmp_path / "listen.log", "calipso listen started", timeout=60)
        before = EmbeddedStore(home).read_state()
        os.kill(before.pid, signal.SIGKILL)
        # while it is away, the API says so: 503 with Retry-After, never a 500 (or a 200 from the past)
        during = requests.get(f"{url}/health", auth=auth, timeout=15)
        assert during.status_code in (200, 503), during.text
        r = _wait_http(f"{url}/health", auth, 60)
        assert r.status_code == 200 and r.json()["store"] == {"state": "ok"}
        deadline = time.monotonic() + 20
        while (after := EmbeddedStore(home).read_state()) is None or after.pid == before.pid:
            assert time.monotonic() < deadline, "the store's state file was not renewed"
            time.sleep(0.2)
        assert after.pid != before.pid and after.port == before.port, "the store came back on its own port"
        assert requests.get(f"{url}/environment_configs", auth=auth, timeout=10).status_code == 200
        assert all(p.poll() is None for p in procs), "no service died with the store"
        # the scan manager works again: a scan request for an environment that is gone is answered
        from app.scans import Scans
        from app.store.store import Store, StoreLocation
        store = Store.connect(StoreLocation(after.uri, "test"))
        scan_id = Scans(store).submit("no-such-env", origin="test")
        deadline = time.monotonic() + 60
        while store["scans"].find_one({"_id": scan_id})["status"] == "pending":
            assert time.monotonic() < deadline, "the scan manager did not come back"
            time.sleep(0.3)
        store.close()
    finally:
        for p in procs:
            p.send_signal(signal.SIGTERM)
        for p in procs:
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                pass
        _stop(procs)
        EmbeddedStore(home).stop()
    logs = "".join((tmp_path / f).read_text() for f in ("api.log", "manager.log", "listen.log"))
    assert "is unreachable" in logs and "is back after" in logs, logs[-3000:]


def test_sigterm_stops_services_promptly_while_the_store_is_unreachable(tmp_path):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALIPSO_")}
    env["CALIPSO_HOME"] = str(tmp_path / "elsewhere")
    password = _password(home)
    state = EmbeddedStore(home).read_state()
    env["CALIPSO_MONGO_URI"] = state.uri      # a store they cannot start again themselves
    port = spare_port()
    procs = {"api": _spawn(env, "api", "--bind", f"127.0.0.1:{port}", "--workers", "1", log=tmp_path / "api.log"),
             "scan-manager": _spawn(env, "scan-manager", "-i", "0.2", log=tmp_path / "manager.log"),
             "listen": _spawn(env, "listen", "-i", "0.5", log=tmp_path / "listen.log")}
    try:
        _wait_http(f"http://127.0.0.1:{port}/health", ("ops", password), 60)
        EmbeddedStore(home).stop()
        time.sleep(3)       # they notice, and wait for it
        try:
            requests.get(f"http://127.0.0.1:{port}/health", auth=("ops", password), timeout=2)
        except requests.RequestException:
            pass
        started = time.monotonic()
        for p in procs.values():
            p.send_signal(signal.SIGTERM)
        took = {}
        for name, p in procs.items():
            try:
                p.wait(30)
            except subprocess.TimeoutExpired:
                pass
            took[name] = round(time.monotonic() - started, 1)
        assert all(t <= 5.0 for t in took.values()), f"seconds to stop after SIGTERM: {took}"
    finally:
        _stop(procs.values())
        EmbeddedStore(home).stop()
