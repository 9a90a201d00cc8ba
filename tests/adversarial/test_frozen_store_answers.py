"""While the store is frozen (SIGSTOP), a request that needs it is answered 503 soon, not held: the API's JSON
error, its /health, and the console's error page. The design's figures (app.store.store.SERVING: a 1 s
heartbeat, a 2 s hello and server selection timeout): 2-2.5 s once the clients know the store is away; up to
5 s for a request sent the moment it stops (the heartbeat, the hello timing out, then pymongo's one retry of
the read selecting for 2 s). The bounds here are generous for a loaded machine; main took 19 s and 5-5.5 s.
Once thawed, both serve again."""

from __future__ import annotations

import os
import signal
import time

import requests

from tests.adversarial.conftest import USERS, console_session, wait_until

ANSWER_WITHIN = 5.0        # once the store is known to be away
AT_ONCE_WITHIN = 8.0       # the first requests, sent the moment it stops
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
        assert seconds <= (AT_ONCE_WITHIN if what.endswith("at once") else ANSWER_WITHIN), (what, f"{seconds:.1f} s")
        if what.startswith("API"):
            assert "error" in body or "store" in body, (what, body)
        else:
            assert "<html" in body.lower() and 'id="api-down"' in body, (what, body[:500])
    wait_until(lambda: requests.get(f"{stack.api}/environment_configs", auth=AUTH, timeout=10).status_code == 200,
               60, "the API serves once the store is thawed")
    wait_until(lambda: console_session(stack), 60, "the console signs in once the store is thawed")
