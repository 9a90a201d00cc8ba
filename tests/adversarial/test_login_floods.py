"""Login floods throttle the guessers, never the right users: 20 clients guessing passwords (Basic and
token requests, through the API and through the console) from one address, while right passwords come
from another; the console tells its browsers apart by the address it forwards. Throughput kept by
token users under the same flood is a bench figure (tests/bench/hardening_bench.py)."""

from __future__ import annotations

import base64
import json
import re
import threading
import time

import requests

from tests.adversarial.attackers import ATTACKER, call
from tests.adversarial.conftest import USERS

FLOOD_SECONDS = 8.0


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _flood(target, clients: int = 20, seconds: float = FLOOD_SECONDS) -> dict[int, int]:
    answers: dict[int, int] = {}
    stop = time.monotonic() + seconds

    def guesser(i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            n += 1
            try:
                code = target(i, n)
            except OSError:
                code = 0
            answers[code] = answers.get(code, 0) + 1
    threads = [threading.Thread(target=guesser, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    return answers, threads


def test_right_passwords_are_never_refused_while_twenty_clients_guess(stack):
    guess = lambda i, n: call(f"{stack.api}/environment_configs", headers=_basic(("admin", "alice", "nobody")[i % 3],
                                                                                f"guess-{i}-{n}"), source=ATTACKER)[0]
    answers, threads = _flood(guess)
    refused, served = [], 0
    token = requests.post(f"{stack.api}/auth/tokens", timeout=30, json={"auth": {"methods": ["credentials"],
                          "credentials": {"username": "alice", "password": USERS["alice"]}}})
    assert token.status_code == 201, token.text
    while any(t.is_alive() for t in threads):
        for user, password in USERS.items():
            r = requests.get(f"{stack.api}/environment_configs", headers=_basic(user, password), timeout=30)
            served += r.status_code == 200
            if r.status_code != 200:
                refused.append(r.status_code)
        r = requests.post(f"{stack.api}/auth/tokens", timeout=30, json={"auth": {"methods": ["credentials"],
                          "credentials": {"username": "admin", "password": USERS["admin"]}}})
        refused += [] if r.status_code == 201 else [r.status_code]
        r = requests.get(f"{stack.api}/environment_configs", headers={"X-Auth-Token": token.json()["token"]},
                         timeout=30)
        refused += [] if r.status_code == 200 else [r.status_code]
    for t in threads:
        t.join(30)
    assert refused == [] and served > 0
    assert answers.get(429, 0) > 0 and answers.get(200, 0) == 0, answers      # the guessers were slowed down


def _console_form(session: requests.Session, ui: str) -> str:
    page = session.get(f"{ui}/login", timeout=30).text
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


def test_a_flood_of_console_sign_ins_from_one_browser_locks_out_that_browser_only(stack):
    attacker = requests.Session()
    adapter = requests.adapters.HTTPAdapter()
    adapter.init_poolmanager(1, 1, source_address=("127.0.0.3", 0))    # a browser of its own
    attacker.mount("http://", adapter)
    csrf = _console_form(attacker, stack.ui)
    codes = []
    while 429 not in codes and len(codes) < 40:
        r = attacker.post(f"{stack.ui}/login", data={"username": "alice", "password": f"Guess-pass-{len(codes)}",
                                                     "csrf_token": csrf}, allow_redirects=False, timeout=60)
        codes.append(r.status_code)
    assert codes[0] == 401 and codes[-1] == 429 and len(codes) <= 25, codes
    # alice herself, in every other browser, still signs in at once, through the same console
    for _ in range(5):
        s = requests.Session()
        r = s.post(f"{stack.ui}/login", data={"username": "alice", "password": USERS["alice"],
                                              "csrf_token": _console_form(s, stack.ui)},
                   allow_redirects=False, timeout=30)
        assert r.status_code == 303, (r.status_code, r.text[:300])


def test_the_forwarded_address_is_believed_only_with_the_console_secret(stack):
    forged = {"X-Calipso-Client-Address": "192.0.2.1", "X-Calipso-Console": "a-guess-at-the-secret-123",
              "Content-Type": "application/json"}
    body = lambda i: json.dumps({"auth": {"methods": ["credentials"], "credentials": {
        "username": "alice", "password": f"Guess-pass-{i}"}}}).encode()
    codes = []
    while 429 not in codes and len(codes) < 40:
        codes.append(call(f"{stack.api}/auth/tokens", "POST", body(len(codes)),
                          {**forged, "X-Calipso-Client-Address": f"192.0.2.{len(codes)}"}, source="127.0.0.4")[0])
    # counted at its own address, whatever address it claimed each time
    assert codes[-1] == 429 and len(codes) <= 10, codes


def test_behind_a_trusted_load_balancer_guesses_count_against_the_client_it_names(stack):
    """A load balancer in front of replicas carries every client on its own address: the API believes its
    X-Forwarded-For (and limits no connection to it) only when it is one of --trusted-proxies."""
    from tests.adversarial.conftest import wait_until
    from tests.ports import spare_port

    port = spare_port()
    stack.start("api-behind-lb", "api", "--bind", f"127.0.0.1:{port}", "--workers", "1",
                "--trusted-proxies", "127.0.0.5")
    api = f"http://127.0.0.1:{port}"
    wait_until(lambda: requests.get(f"{api}/health", timeout=5).status_code in (200, 401), 90, "the second API answers")
    body = lambda i: json.dumps({"auth": {"methods": ["credentials"], "credentials": {
        "username": "bob", "password": f"Guess-pass-{i}"}}}).encode()
    via = lambda client, i, source: call(f"{api}/auth/tokens", "POST", body(i), {
        "Content-Type": "application/json", "X-Forwarded-For": client}, source=source)[0]
    codes = []
    while 429 not in codes and len(codes) < 40:   # one client guessing through the load balancer
        codes.append(via("192.0.2.50", len(codes), "127.0.0.5"))
    assert codes[-1] == 429 and len(codes) <= 10, codes
    # another client through the same load balancer is not that guesser
    assert via("192.0.2.51", 100, "127.0.0.5") == 401
    # an address that is not a trusted proxy names no one: its guesses count against itself
    codes = []
    while 429 not in codes and len(codes) < 40:
        codes.append(via(f"192.0.2.{60 + len(codes)}", 200 + len(codes), "127.0.0.6"))
    assert codes[-1] == 429 and len(codes) <= 10, codes
