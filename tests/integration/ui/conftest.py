"""The browser test harness: a scanned simulated cloud, the REST API and the console on free
ports, and Playwright driving Debian's Chromium.

What a test gets (session-wide; one cloud, one scan):
- `console`: a `Console` with `ui` / `api` URLs, `store`, the environment names `env` (a simulated
  cloud, scanned, followed by the listener) and `other_env` (a second environment, seeded),
  `users` (name -> password), `sdk` (openstacksdk connected to the simulated cloud), and
  `api_get(user, path, params)` to ask the API what a page should show.
  Users: `admin` (admin), `alice` (view-env on `env` only), `bruno` (view-env on `other_env` only),
  `erin` (edit-env on `env`).
- `page`: a fresh browser context and page per test (1400x900); `login(page, user, password)`.
- `shot(page, name)`: a screenshot under the session's screenshot directory (or
  $CALIPSO_SCREENSHOT_DIR), path returned, for a person to look at.

Without Chromium or Playwright the browser tests skip with a one-line reason, except under
CI=true, where they fail: CI must run them.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

from app.envconfig.repository import EnvironmentConfigs
from app.inventory import Inventory
from app.paths import place, root
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from tests.ports import spare_port

CI = os.environ.get("CI") == "true"
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]
ENV = "simcloud"
OTHER = "bravo-cloud"
USERS = {"admin": "Admin-pass-1", "alice": "Alice-pass-22", "bruno": "Bruno-pass-333", "erin": "Erin-pass-4444"}


def browser_missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "playwright is not installed (pip install playwright; the browser is Debian's chromium)"
    if not os.access(CHROMIUM, os.X_OK):
        return f"no browser at {CHROMIUM} (apt-get install chromium)"
    return None


def need_browser() -> None:
    reason = browser_missing()
    if reason:
        if CI:
            pytest.fail(f"{reason}, and CI=true forbids skipping browser tests")
        pytest.skip(reason)


def wait_listening(port: int, proc: subprocess.Popen, what: str, log: Path, timeout: float = 60) -> None:
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{what} exited with {proc.returncode}: {log.read_text()[-2000:]}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{what} did not listen on {port} within {timeout} s: {log.read_text()[-2000:]}")


def stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(15)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()


def start_calipso(args: list[str], env: dict, log: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "app.cli.main", *args], env=env, stdin=subprocess.DEVNULL,
                            stdout=open(log, "ab"), stderr=subprocess.STDOUT, start_new_session=True)


@dataclass
class Console:
    ui: str
    api: str
    store: Store
    env: str
    other_env: str
    users: dict
    cloud: dict
    sdk: object = None
    logs: Path | None = None
    procs: dict = field(default_factory=dict)
    proc_env: dict = field(default_factory=dict)
    _tokens: dict = field(default_factory=dict)

    def stop_api(self) -> None:
        """Stop the REST API (the console keeps running): for API-down tests."""
        stop(self.procs["api"])

    def start_api(self) -> None:
        port = int(self.api.rsplit(":", 1)[1])
        self.procs["api"] = start_calipso(["api", "--bind", f"127.0.0.1:{port}", "--workers", "1"], self.proc_env,
                                          self.logs / "api.log")
        wait_listening(port, self.procs["api"], "calipso api", self.logs / "api.log")

    def token(self, user: str) -> str:
        if user not in self._tokens:
            r = requests.post(self.api + "/auth/tokens", json={"auth": {"methods": ["credentials"], "credentials": {
                "username": user, "password": self.users[user]}}}, timeout=10)
            r.raise_for_status()
            self._tokens[user] = r.json()["token"]
        return self._tokens[user]

    def api_get(self, user: str, path: str, params: dict | None = None) -> dict:
        r = requests.get(self.api + path, params=params, headers={"X-Auth-Token": self.token(user)}, timeout=10)
        r.raise_for_status()
        return r.json()


def seed_other(store: Store, env: str) -> None:
    """A small second environment with names found nowhere else (for isolation tests)."""
    inv = Inventory(store)
    r = root(env)
    region = place({"id": "bravo-region", "type": "region", "name": "bravo-region"}, r, env)
    host = place({"id": "bravo-host-1", "type": "host", "name": "bravo-host-1", "host": "bravo-host-1"}, region, env)
    vm = place({"id": "bravo-secret-vm", "type": "instance", "name": "bravo-secret-vm", "host": "bravo-host-1"}, host, env)
    inv.upsert([region, host, vm])


@pytest.fixture(scope="session")
def ui_logs(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ui-logs")


@pytest.fixture(scope="session")
def cloud(tmp_path_factory, calipso_home, ui_logs):
    state = tmp_path_factory.mktemp("ui-sim")
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home)}
    proc = start_calipso(["sim", "--state-dir", str(state), "--hosts", "2", "--name", ENV, "--seed", "11"], env,
                         ui_logs / "sim.log")
    config = state / "environment_config.json"
    deadline = time.monotonic() + 120
    while not config.exists():
        assert proc.poll() is None, (ui_logs / "sim.log").read_text()[-2000:]
        assert time.monotonic() < deadline, "the simulated cloud did not start"
        time.sleep(0.2)
    time.sleep(0.2)
    doc = json.loads(config.read_text())
    for s in doc["configuration"]:
        if s["name"] == "CLI":
            s["host_key_policy"] = "accept-new"
    yield doc
    stop(proc)


def _sdk(cloud: dict):
    import openstack
    os_section = next(s for s in cloud["configuration"] if s["name"] == "OpenStack")
    return openstack.connect(auth_url=f"http://127.0.0.1:{os_section['port']}/v3", username=os_section["user"],
                             password=os_section["pwd"], project_name="admin", user_domain_id="default",
                             project_domain_id="default", region_name="RegionOne")


@pytest.fixture(scope="session")
def console(cloud, store_uri, calipso_home, ui_logs) -> Console:
    from api.auth.users import Users
    from listen.manager import Manager
    from scan.clients import build_clients
    from scan.controller import ScanController, ScanOptions

    name = f"ui_{uuid.uuid4().hex[:10]}"
    uri = f"{store_uri}{name}"
    store = Store.connect(StoreLocation(uri, "ui test store", embedded=True))
    init_db(store)
    users = Users(store, rounds=4)
    for user, password in USERS.items():
        users.add(user, password, admin=(user == "admin"))
    configs = EnvironmentConfigs(store)
    configs.add({**cloud, "name": ENV, "listen": True,
                 "auth": {"view-env": ["alice", "erin"], "edit-env": ["erin"]}})
    res = ScanController(store, ScanOptions(env=ENV, serial=True), clients_factory=build_clients).run()
    assert res.status in ("completed", "completed_with_errors"), res.reason
    other = {**cloud, "name": OTHER, "listen": False, "auth": {"view-env": ["bruno"], "edit-env": []}}
    configs.add(other)
    seed_other(store, OTHER)

    manager = Manager(store, interval=0.2)
    halt = threading.Event()
    listener = threading.Thread(target=manager.run, args=(halt,), daemon=True)
    listener.start()

    env = {**os.environ, "CALIPSO_HOME": str(calipso_home), "CALIPSO_MONGO_URI": uri}
    api_port, ui_port = spare_port(), spare_port()
    api = start_calipso(["api", "--bind", f"127.0.0.1:{api_port}", "--workers", "1"], env, ui_logs / "api.log")
    ui = start_calipso(["ui", "--bind", f"127.0.0.1:{ui_port}", "--api-url", f"http://127.0.0.1:{api_port}",
                        "--poll-interval", "0.5"], env, ui_logs / "ui.log")
    c = Console(f"http://127.0.0.1:{ui_port}", f"http://127.0.0.1:{api_port}", store, ENV, OTHER, dict(USERS), cloud,
                logs=ui_logs, procs={"api": api, "ui": ui}, proc_env=env)
    try:
        wait_listening(api_port, api, "calipso api", ui_logs / "api.log")
        wait_listening(ui_port, ui, "calipso ui", ui_logs / "ui.log")
        c.sdk = _sdk(cloud)
        yield c
    finally:
        for p in (c.procs["ui"], c.procs["api"]):
            stop(p)
        halt.set()
        listener.join(20)
        store.client.drop_database(name)
        store.close()


@pytest.fixture(scope="session")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, console):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=console.ui)
    p = context.new_page()
    p.set_default_timeout(30_000)
    errors: list[str] = []
    p.on("pageerror", lambda e: errors.append(str(e)))
    p.js_errors = errors
    yield p
    context.close()


@pytest.fixture(scope="session")
def shot_dir(tmp_path_factory) -> Path:
    d = os.environ.get("CALIPSO_SCREENSHOT_DIR")
    path = Path(d) if d else tmp_path_factory.mktemp("ui-screenshots")
    path.mkdir(parents=True, exist_ok=True)
    return path


@pytest.fixture
def shot(shot_dir):
    def take(page, name: str, full_page: bool = False) -> Path:
        path = shot_dir / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        return path
    return take


def login(page, user: str, password: str, next_path: str | None = None) -> None:
    """Sign in through the form, as a person does."""
    page.goto("/login" + (f"?next={next_path}" if next_path else ""))
    page.fill("input[name=username]", user)
    page.fill("input[name=password]", password)
    page.click("#login-form button[type=submit]")
    page.wait_for_load_state("domcontentloaded")


def eventually(check, timeout: float = 10.0, interval: float = 0.2):
    """Wait for a condition a person would wait for; fail past the bound."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        assert time.monotonic() < deadline, "condition not met in time"
        time.sleep(interval)


def open_tree_to(page, console: Console, user: str, obj_id: str) -> None:
    """On an open environment page, open the tree down to `obj_id` by clicking arrows, as a person does."""
    chain = console.api_get(user, "/tree/path", {"env_name": console.env, "id": obj_id})["path"]
    for node in chain:
        li = page.locator(f'#tree li.node[data-id="{node["id"]}"]').first
        li.wait_for()
        twisty = li.locator(":scope > .node-row .twisty")
        if twisty.count() and twisty.get_attribute("aria-expanded") != "true":
            twisty.click()
            page.wait_for_selector(f'#tree li.node[data-id="{node["id"]}"][data-loaded="true"]')
