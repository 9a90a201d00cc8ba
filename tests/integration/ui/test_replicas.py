"""Two `calipso ui` replicas on one store, as behind a load balancer: a session signed in on one is
signed in on the other, survives a restart of the console, and ends everywhere when signed out or
revoked (`calipso user revoke`). Plain HTTP, no browser."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import uuid

import pytest
import requests

from api.server import start_background
from app.store.store import Store, StoreLocation
from tests.containers.ui_login import sign_in
from tests.integration.ui.conftest import start_calipso, stop, wait_listening
from tests.ports import spare_port

COOKIE = "calipso_session"


@pytest.fixture
def two_consoles(store_uri, calipso_home, tmp_path):
    uri = f"{store_uri}replicas_{uuid.uuid4().hex[:8]}"
    api = start_background(uri, bind=f"127.0.0.1:{spare_port()}", workers=1)
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home), "CALIPSO_MONGO_URI": uri}
    ports, procs = [spare_port(), spare_port()], {}

    def start(i: int) -> None:
        procs[i] = start_calipso(["ui", "--bind", f"127.0.0.1:{ports[i]}", "--api-url", api.url], env,
                                 tmp_path / f"ui-{i}.log")
        wait_listening(ports[i], procs[i], f"calipso ui {i}", tmp_path / f"ui-{i}.log")

    for i in (0, 1):
        start(i)
    store = Store.connect(StoreLocation(uri, "test"))
    consoles = type("Consoles", (), {"urls": [f"http://127.0.0.1:{p}" for p in ports], "api": api, "env": env,
                                     "store": store, "procs": procs, "start": staticmethod(start)})
    try:
        yield consoles
    finally:
        for p in procs.values():
            stop(p)
        api.stop()
        store.client.drop_database(store.db.name)
        store.close()


def signed_in(url: str, cookie: str) -> bool:
    r = requests.get(f"{url}/Dashboard", cookies={COOKIE: cookie}, allow_redirects=False, timeout=10)
    assert r.status_code in (200, 303), r.status_code
    return r.status_code == 200


def test_replicas_share_sessions_and_a_restart_keeps_them(two_consoles):
    c = two_consoles
    browser = requests.Session()
    assert sign_in(browser, c.urls[0], "admin", c.api.admin_password).status_code == 200
    cookie = browser.cookies[COOKIE]
    assert signed_in(c.urls[0], cookie) and signed_in(c.urls[1], cookie)
    stop(c.procs[0])
    c.start(0)                                   # a restarted console keeps everyone signed in
    assert signed_in(c.urls[0], cookie)
    sessions = list(c.store["console_sessions"].find({"username": "admin"}))
    assert len(sessions) == 1 and cookie not in str(sessions)


def test_sign_out_on_one_replica_ends_the_session_on_the_other(two_consoles):
    c = two_consoles
    browser = requests.Session()
    sign_in(browser, c.urls[0], "admin", c.api.admin_password)
    cookie = browser.cookies[COOKIE]
    # a form of one replica is accepted by the other: the CSRF token is the session's, in the store
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', browser.get(f"{c.urls[0]}/Dashboard", timeout=10).text)
    r = requests.post(f"{c.urls[1]}/logout", cookies={COOKIE: cookie}, data={"csrf_token": csrf.group(1)},
                      allow_redirects=False, timeout=10)
    assert r.status_code == 303
    assert not signed_in(c.urls[0], cookie) and not signed_in(c.urls[1], cookie)


def test_an_administrator_revokes_a_users_sessions(two_consoles):
    c = two_consoles
    cookies = []
    for url in c.urls:
        browser = requests.Session()
        sign_in(browser, url, "admin", c.api.admin_password)
        cookies.append(browser.cookies[COOKIE])
    assert all(signed_in(url, k) for url in c.urls for k in cookies)
    run = subprocess.run([sys.executable, "-m", "app.cli.main", "user", "revoke", "admin"], env=c.env,
                         capture_output=True, text=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert "2 console session(s) revoked" in run.stdout
    assert not any(signed_in(url, k) for url in c.urls for k in cookies)
