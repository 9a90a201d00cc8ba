"""The adversarial suite's stack: an embedded store of its own, the API (2 workers) and the console on
free loopback ports, started as `calipso api` / `calipso ui` are in production, with short timeouts so
every attack ends within seconds. Everything is loopback; every wait has a deadline.

`make test-adversarial` runs this folder (CI runs it after `make test`).
"""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from app.store.embedded import EmbeddedStore
from tests.ports import spare_port

ROOT = Path(__file__).resolve().parents[2]
USERS = {"admin": "Admin-pass-1", "alice": "Alice-pass-22"}
LIMITS = ["--head-timeout", "5", "--body-timeout", "5", "--max-client-connections", "40"]


@dataclass
class Stack:
    home: Path
    env: dict
    api: str = ""
    ui: str = ""
    procs: dict = field(default_factory=dict)
    logs: dict = field(default_factory=dict)

    def start(self, name: str, *args: str) -> subprocess.Popen:
        log = self.home / f"{name}.log"
        self.logs[name] = log
        proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", *args], cwd=ROOT, env=self.env,
                                stdin=subprocess.DEVNULL, stdout=open(log, "ab"), stderr=subprocess.STDOUT,
                                start_new_session=True)
        self.procs[name] = proc
        return proc

    def log(self, name: str) -> str:
        return self.logs[name].read_text(errors="replace")[-3000:]

    def store_pid(self) -> int:
        return EmbeddedStore(self.home).read_state().pid

    def stop_all(self) -> None:
        for proc in self.procs.values():
            if proc.poll() is None:
                try:
                    os.killpg(proc.pid, signal.SIGTERM)
                except ProcessLookupError:
                    pass
        for proc in self.procs.values():
            try:
                proc.wait(20)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()


def wait_until(check, timeout: float, what: str, interval: float = 0.2):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            result = check()
            if result:
                return result
        except Exception as e:     # not yet: keep the last reason for the failure message
            last = e
        time.sleep(interval)
    raise AssertionError(f"{what} within {timeout:.0f} s (last error: {last!r})")


def new_stack(tmp: Path, users: dict = USERS) -> Stack:
    from api.auth.users import Users
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation

    env = {k: v for k, v in os.environ.items() if not k.startswith("CALIPSO_")}
    env.update(CALIPSO_HOME=str(tmp), CALIPSO_CONSOLE_SECRET=secrets.token_urlsafe(24), PYTHONUNBUFFERED="1")
    store = Store.connect(StoreLocation(EmbeddedStore(tmp).ensure_running(), "adversarial store"))
    try:
        init_db(store)
        for name, password in users.items():
            Users(store, rounds=4).add(name, password, admin=name == "admin")
    finally:
        store.close()
    return Stack(tmp, env)


def serve_api_and_console(stack: Stack) -> None:
    api_port, ui_port = spare_port(), spare_port()
    stack.start("api", "api", "--bind", f"127.0.0.1:{api_port}", "--workers", "2", *LIMITS)
    stack.api = f"http://127.0.0.1:{api_port}"
    wait_until(lambda: requests.get(f"{stack.api}/health", timeout=5).status_code in (200, 401), 90,
               f"the API answers ({stack.log('api') if 'api' in stack.logs else ''})")
    stack.start("ui", "ui", "--bind", f"127.0.0.1:{ui_port}", "--api-url", stack.api, "--threads", "24", *LIMITS)
    stack.ui = f"http://127.0.0.1:{ui_port}"
    wait_until(lambda: requests.get(f"{stack.ui}/login", timeout=5).status_code == 200, 90, "the console answers")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    s = new_stack(tmp_path_factory.mktemp("adversarial"))
    try:
        serve_api_and_console(s)
        yield s
    finally:
        s.stop_all()
        EmbeddedStore(s.home).stop()


def console_session(stack: Stack, user: str = "admin") -> tuple[requests.Session, str]:
    """A signed-in console session and its CSRF token."""
    s = requests.Session()
    page = s.get(f"{stack.ui}/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = s.post(f"{stack.ui}/login", data={"username": user, "password": USERS[user], "csrf_token": csrf},
               allow_redirects=False, timeout=30)
    assert r.status_code == 303, (r.status_code, r.text[:300])
    page = s.get(f"{stack.ui}/Dashboard", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page) or \
        re.search(r'name="csrf-token" content="([^"]+)"', page)
    return s, csrf.group(1)
