"""Login can't be abused: guessing is slowed down per user and per address (429 + Retry-After) before any
password is checked; an unknown user costs what a known one does; good Basic credentials are not
re-checked with bcrypt on every request."""

from __future__ import annotations

import base64

import bcrypt
import pytest
from falcon import testing

from api.app import create_app
from api.auth.users import Users
from api.settings import Settings


@pytest.fixture
def client(initialized_store):
    users = Users(initialized_store, rounds=4)
    users.add("alice", "Alice-pass-333")
    users.add("bob", "Bob-pass-4444")
    return testing.TestClient(create_app(initialized_store, Settings(bcrypt_rounds=4)))


def _basic(user: str, password: str) -> dict:
    return {"Authorization": "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()}


def _token(client, user, password, addr="10.1.1.1"):
    return client.simulate_post("/auth/tokens", remote_addr=addr, json={"auth": {
        "methods": ["credentials"], "credentials": {"username": user, "password": password}}})


def test_thirty_wrong_passwords_in_a_row_get_429_with_retry_after(client):
    codes = [_token(client, "alice", f"wrong-{i}").status_code for i in range(30)]
    assert codes[0] == 401 and codes[-1] == 429
    r = _token(client, "alice", "Alice-pass-333")          # even the right one waits its turn
    assert r.status_code == 429 and int(r.headers["Retry-After"]) >= 1
    assert "retry in" in r.json["error"]["message"]
    # Basic authentication is the same door
    r = client.simulate_get("/environment_configs", headers=_basic("alice", "Alice-pass-333"), remote_addr="10.9.9.9")
    assert r.status_code == 429 and "Retry-After" in r.headers
    # another user is not locked out by alice's attacker (from another address)
    assert _token(client, "bob", "Bob-pass-4444", addr="10.2.2.2").status_code == 201


def test_one_address_spraying_many_user_names_is_slowed_down(client):
    codes = [_token(client, f"user{i}", "Guess-pass-1", addr="10.3.3.3").status_code for i in range(40)]
    assert codes[0] == 401 and codes[-1] == 429
    assert _token(client, "bob", "Bob-pass-4444", addr="10.3.3.3").status_code == 429
    assert _token(client, "bob", "Bob-pass-4444", addr="10.4.4.4").status_code == 201


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
