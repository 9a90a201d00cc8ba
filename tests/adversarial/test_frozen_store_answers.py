"""While the store is frozen (SIGSTOP), a request that needs it is answered 503 soon, not held: the API's JSON
error, its /health, and the console's error page, each within ANSWER_WITHIN seconds (the design's figure is
2-3 s: a 1 s heartbeat and a 2 s hello timeout, app.store.store.SERVING; the bound here is generous for a
loaded machine). The first request is sent the moment the store stops, before anything has noticed; the
later ones after the clients have marked the store unreachable. Once thawed, both serve again."""

from __future__ import annotations

import os
import signal
import time

import requests

from tests.adversarial.conftest import USERS, console_session, wait_until

ANSWER_WITHIN = 5.0
AUTH = ("admin", USERS["admin"])


def timed(method, *args, **kwargs) -> tuple[requests.Response, float]:
    start = time.monotonic()
    resp = method(*args, timeout=30, **kwargs)
    return resp, time.monotonic() - start


def frozen_answers(stack) -> list[tuple[str, int, float, str]]:
    """(what, status, seconds, body head) for API, /health and console requests while the store is frozen."""
    browser, _ = console_session(stack)
    token = requests.post(f"{stack.api}/auth/tokens", json={"auth": {"methods": ["credentials"], "credentials": {
        "username": "admin", "password": USERS["admin"]}}}, timeout=30).json().get("token")
    bearer = {"X-Auth-Token": token} if token else {}
    assert requests.get(f"{stack.api}/environment_configs", auth=AUTH, timeout=30).status_code == 200
    answers = []
    pid = stack.store_pid()
    os.kill(pid, signal.SIGSTOP)
    try:
        for round_ in ("at once", "later"):
            r, s = timed(requests.get, f"{stack.api}/environment_configs", auth=AUTH)
            answers.append((f"API Basic {round_}", r.status_code, s, r.text[:200]))
            r, s = timed(requests.get, f"{stack.api}/inventory", headers=bearer, params={"env_name": "none"})
            answers.append((f"API token {round_}", r.status_code, s, r.text[:200]))
            r, s = timed(requests.get, f"{stack.api}/health", headers=bearer)
            answers.append((f"API /health {round_}", r.status_code, s, r.text[:200]))
            r, s = timed(browser.get, f"{stack.ui}/Dashboard")
            answers.append((f"console page {round_}", r.status_code, s, r.text[:2000]))
    finally:
        os.kill(pid, signal.SIGCONT)
    return answers


def test_a_frozen_store_is_a_prompt_503_on_api_and_console(stack):
    answers = frozen_answers(stack)
    print("\n".join(f"{what}: {status} in {seconds:.2f} s" for what, status, seconds, _ in answers))
    for what, status, seconds, body in answers:
        assert status == 503, (what, status, body)
        assert seconds <= ANSWER_WITHIN, (what, f"{seconds:.1f} s", answers)
        if what.startswith("API"):
            assert "error" in body or "store" in body, (what, body)
        else:
            assert "<html" in body.lower() and 'id="api-down"' in body, (what, body[:500])
    wait_until(lambda: requests.get(f"{stack.api}/environment_configs", auth=AUTH, timeout=10).status_code == 200,
               60, "the API serves once the store is thawed")
    wait_until(lambda: console_session(stack), 60, "the console signs in once the store is thawed")
