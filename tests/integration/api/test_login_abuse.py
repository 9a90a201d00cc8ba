"""Login can't be abused, and abuse can't lock the right users out: failures (only failures) are counted
per (user, address) and per address, and a locked key is refused (429 + Retry-After) before any password
is checked; a right password from elsewhere always gets in; the console's browsers are told apart by
the address it forwards with its secret; an unknown user costs what a known one does; good Basic
credentials are not re-checked with bcrypt on every request."""

from __future__ import annotations

import base64

import bcrypt
import pytest
from falcon import testing

from api.app import create_app
from api.auth.users import Users
from api.settings import Settings

SECRET = "console-secret-0123456789"


@pytest.fixture
def client(initialized_store):
    users = Users(initialized_store, rounds=4)
    users.add("alice", "Alice-pass-333")
    users.add("bob", "Bob-pass-4444")
    return testing.TestClient(create_app(initialized_store, Settings(bcrypt_rounds=4, console_secret=SECRET)))


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _token(client, user, password, addr="10.1.1.1", headers=None):
    return client.simulate_post("/auth/tokens", remote_addr=addr, headers=headers, json={"auth": {
        "methods": ["credentials"], "credentials": {"username": user, "password": password}}})


def test_thirty_wrong_passwords_in_a_row_get_429_with_retry_after(client):
    codes = [_token(client, "alice", f"wrong-{i}").status_code for i in range(30)]
    assert codes[0] == 401 and codes[-1] == 429
    r = _token(client, "alice", "Alice-pass-333")          # from the guessing address, even the right one waits
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "retry in" in r.json["error"]["message"]
    # alice herself, elsewhere, is not locked out by her attacker: by token or by Basic credentials
    assert _token(client, "alice", "Alice-pass-333", addr="10.9.9.8").status_code == 201
    r = client.simulate_get("/environment_configs", headers=_basic("alice", "Alice-pass-333"), remote_addr="10.9.9.9")
    assert r.status_code == 200
    assert _token(client, "bob", "Bob-pass-4444", addr="10.2.2.2").status_code == 201


def test_right_passwords_are_never_counted(client):
    codes = {_token(client, "bob", "Bob-pass-4444", addr="10.5.5.5").status_code for _ in range(60)}
    assert codes == {201}


def test_a_slow_guesser_of_a_known_user_never_keeps_that_user_out(client):
    for i in range(20):
        _token(client, "alice", f"guess-{i}", addr="10.6.6.6")
        assert _token(client, "alice", "Alice-pass-333", addr="10.7.7.7").status_code == 201


def test_one_address_spraying_many_user_names_is_slowed_down(client):
    codes = [_token(client, f"user{i}", "Guess-pass-1", addr="10.3.3.3").status_code for i in range(40)]
    assert codes[0] == 401 and codes[-1] == 429
    assert _token(client, "bob", "Bob-pass-4444", addr="10.3.3.3").status_code == 429
    assert _token(client, "bob", "Bob-pass-4444", addr="10.4.4.4").status_code == 201


def test_a_locked_out_guess_costs_no_bcrypt(client, monkeypatch):
    for i in range(30):
        _token(client, "alice", f"wrong-{i}", addr="10.8.8.8")
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, h: calls.append(1) or real(pw, h))
    assert [_token(client, "alice", f"again-{i}", addr="10.8.8.8").status_code for i in range(10)] == [429] * 10
    assert calls == []


def _via_console(browser: str, secret: str = SECRET) -> dict:
    return {"X-Calipso-Client-Address": browser, "X-Calipso-Console": secret}


def test_the_console_forwards_each_browser_address_with_its_secret(client):
    flood = [_token(client, f"user{i}", "Guess-pass-1", addr="127.0.0.1", headers=_via_console("192.0.2.66"))
             .status_code for i in range(40)]
    assert flood[-1] == 429
    # another browser through the same console is another address: not refused
    ok = _token(client, "bob", "Bob-pass-4444", addr="127.0.0.1", headers=_via_console("192.0.2.7"))
    assert ok.status_code == 201
    # without the secret the header is ignored: a client cannot pick the address it is counted at
    forged = [_token(client, f"user{i}", "Guess-pass-1", addr="10.10.10.10",
                     headers=_via_console(f"192.0.2.{100 + i}", secret="not-the-secret-at-all")).status_code
              for i in range(40)]
    assert forged[-1] == 429


def test_unknown_users_cost_a_hash_of_the_same_strength(initialized_store):
    users = Users(initialized_store, rounds=12)
    assert users._dummy.startswith(b"$2b$12$"), "an unknown user must be answered as slowly as a known one"


def test_good_basic_credentials_are_checked_with_bcrypt_once(client, initialized_store, monkeypatch):
    calls = []
    real = bcrypt.checkpw
    monkeypatch.setattr(bcrypt, "checkpw", lambda pw, h: calls.append(1) or real(pw, h))
    for _ in range(5):
        assert client.simulate_get("/environment_configs", headers=_basic("bob", "Bob-pass-4444")).status_code == 200
    assert len(calls) == 1
    # a wrong password is still checked (and refused), and a changed password ends the remembered one
    assert client.simulate_get("/environment_configs", headers=_basic("bob", "Bob-pass-4445")).status_code == 401
    Users(initialized_store, rounds=4).set_password("bob", "Bob-pass-5555")
    assert client.simulate_get("/environment_configs", headers=_basic("bob", "Bob-pass-4444")).status_code == 401
    assert client.simulate_get("/environment_configs", headers=_basic("bob", "Bob-pass-5555")).status_code == 200
