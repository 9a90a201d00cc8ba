"""Authentication: tokens (issued, hashed at rest, expiring, renewed, revoked), Basic, LDAP, users."""

from __future__ import annotations

import base64

import ldap3
import pytest
from falcon import testing

from api.app import create_app
from api.auth.tokens import token_hash
from api.settings import LdapConfig, Settings
from tests.integration.api.conftest import PASSWORDS, env_config


def login(api, user, password=None, methods=("credentials",)):
    return api.call("POST", "/auth/tokens", user=None, json_body={"auth": {"methods": list(methods), "credentials": {
        "username": user, "password": password or PASSWORDS[user]}}})


def test_token_has_the_original_shape_and_is_stored_only_as_a_hash(api):
    r = login(api, "alice")
    assert r.status_code == 201
    assert set(r.json) == {"token", "method", "issued_at", "expires_at"} and r.json["method"] == "credentials"
    token = r.json["token"]
    assert len(token) == 32 and int(token, 16) >= 0
    coll = api.store["api_tokens"]
    assert coll.find_one({"token": token}) is None
    assert coll.find_one({"token": token_hash(token)})["username"] == "alice"
    assert api.get("/environment_configs", user=None, headers={"X-Auth-Token": token}).status_code == 200


def test_wrong_password_and_unknown_user_get_the_same_401(api):
    a = login(api, "alice", "not-her-password")
    b = login(api, "nobody", "whatever-password")
    assert a.status_code == b.status_code == 401
    assert a.json == b.json


def test_token_expires_after_its_lifetime(api):
    token = login(api, "alice").json["token"]
    h = {"X-Auth-Token": token}
    assert api.get("/health", user=None, headers=h).status_code == 200
    api.clock.advance(86400 + 1)
    try:
        r = api.get("/health", user=None, headers=h)
        assert r.status_code == 401 and "expired" in r.json["error"]["message"]
    finally:
        api.clock.advance(-(86400 + 1))
        api.tokens.clear()  # issuing at the later time purged the cached tokens


def test_token_method_renews_but_never_beyond_the_session(api):
    token = login(api, "alice").json["token"]
    body = lambda t: {"auth": {"methods": ["token"], "token": t}}
    renewed = api.call("POST", "/auth/tokens", user=None, json_body=body(token))
    assert renewed.status_code == 201 and renewed.json["method"] == "token"
    assert renewed.json["token"] != token
    start = api.clock.now
    t = renewed.json["token"]
    try:
        for _ in range(8):  # a renewal a day for 8 days: the 7-day session ends
            api.clock.advance(86400 - 60)
            r = api.call("POST", "/auth/tokens", user=None, json_body=body(t))
            if r.status_code != 201:
                break
            t = r.json["token"]
        assert r.status_code == 401
        assert api.clock.now - start <= __import__("datetime").timedelta(days=8)
    finally:
        api.clock.now = start
        api.tokens.clear()


def test_delete_revokes_the_token(api):
    token = login(api, "alice").json["token"]
    h = {"X-Auth-Token": token}
    assert api.call("DELETE", "/auth/tokens", user=None, headers=h).status_code == 200
    assert api.get("/health", user=None, headers=h).status_code == 401
    assert api.call("DELETE", "/auth/tokens", user=None, headers=h).status_code == 401
    assert api.call("DELETE", "/auth/tokens", user=None).status_code == 401


@pytest.mark.parametrize("body, status", [
    ({}, 400), ({"auth": {}}, 400), ({"auth": {"methods": ["magic"]}}, 400),
    ({"auth": {"methods": ["credentials"]}}, 401), ({"auth": {"methods": ["token"], "credentials": {
        "username": "a", "password": "b"}}}, 401),
    ({"auth": {"methods": ["credentials"], "credentials": {"username": "alice"}}}, 400),
    ({"auth": {"methods": ["credentials"], "credentials": {"username": "a", "password": "b", "x": 1}}}, 400),
    ({"auth": {"methods": ["credentials"], "credentials": {"username": "alice", "password": 5}}}, 400),
    ([1, 2], 400), ("text", 400)])
def test_bad_token_requests(api, body, status):
    r = api.call("POST", "/auth/tokens", user=None, json_body=body)
    assert r.status_code == status, r.text
    assert r.json["error"]["code"] == str(status)


def test_basic_auth_with_a_colon_in_the_password(api):
    users = api.app.deps.extra["users"]
    users.add("colon", "pass:with:colons")
    assert api.get("/health", user=None, headers=api.basic("colon", "pass:with:colons")).status_code == 200
    assert api.get("/health", user=None, headers=api.basic("colon", "pass")).status_code == 401


def test_other_authorization_schemes_are_refused(api):
    r = api.get("/health", user=None, headers={"Authorization": "Bearer abc"})
    assert r.status_code == 401 and r.json["error"]["message"] == "Credentials not provided"


def test_changing_a_password_revokes_the_users_tokens(api):
    users = api.app.deps.extra["users"]
    users.add("frank", "Frank-pass-1")
    token = login(api, "frank", "Frank-pass-1").json["token"]
    r = api.call("PUT", "/users/frank", user=None, json_body={"password": "Frank-pass-2"},
                 headers={"X-Auth-Token": token})
    assert r.status_code == 400 and "current_password" in r.text  # a stolen session cannot lock frank out
    r = api.call("PUT", "/users/frank", user=None, json_body={"password": "Frank-pass-2",
                                                              "current_password": "Frank-pass-1"},
                 headers={"X-Auth-Token": token})
    assert r.status_code == 200
    assert api.get("/health", user=None, headers={"X-Auth-Token": token}).status_code == 401
    assert login(api, "frank", "Frank-pass-2").status_code == 201


def test_users_see_only_themselves_and_cannot_make_themselves_admin(api):
    assert api.get("/users/alice", user="alice").status_code == 200
    assert api.get("/users/erin", user="alice").status_code == 404
    assert api.call("PUT", "/users/alice", user="alice", json_body={"admin": True}).status_code == 403
    assert api.get("/users", user="alice").status_code == 403
    r = api.get("/users", user="admin")
    assert all("password_hash" not in u for u in r.json["users"])


def test_deleting_a_user_ends_their_access(api):
    users = api.app.deps.extra["users"]
    users.add("gone", "Gone-pass-1")
    token = login(api, "gone", "Gone-pass-1").json["token"]
    assert api.call("DELETE", "/users/gone").status_code == 200
    assert api.get("/health", user=None, headers={"X-Auth-Token": token}).status_code == 401
    assert api.call("DELETE", "/users/gone").status_code == 404


class Ticks:
    """A monotonic clock that moves when told (Users.standing's TTL)."""

    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def other_worker(api, ticks: Ticks) -> testing.TestClient:
    """A second API worker (or replica) on the same store, as gunicorn runs several."""
    app = create_app(api.store, Settings(bcrypt_rounds=4), clock=api.clock)
    app.deps.extra["users"].monotonic = app.deps.envs.monotonic = ticks
    return testing.TestClient(app)


def test_what_ends_access_ends_it_in_every_worker_at_once(api):
    """Each worker keeps what it read of a token's user for a few seconds; a logout, a disabled user, a new
    password or a deleted user still ends access in the other workers with their next request."""
    ticks = Ticks()
    other = other_worker(api, ticks)
    users = api.app.deps.extra["users"]
    for name in ("hank", "ivan", "judy", "kate"):
        users.add(name, f"{name.capitalize()}-pass-1")
    tokens = {n: login(api, n, f"{n.capitalize()}-pass-1").json["token"] for n in ("hank", "ivan", "judy", "kate")}
    for token in tokens.values():
        assert other.simulate_get("/health", headers={"X-Auth-Token": token}).status_code == 200
    assert api.call("DELETE", "/auth/tokens", user=None, headers={"X-Auth-Token": tokens["hank"]}).status_code == 200
    assert api.call("PUT", "/users/ivan", json_body={"disabled": True}).status_code == 200
    assert api.call("PUT", "/users/judy", json_body={"password": "Judy-pass-2"}).status_code == 200
    assert api.call("DELETE", "/users/kate").status_code == 200
    for name, token in tokens.items():
        assert other.simulate_get("/health", headers={"X-Auth-Token": token}).status_code == 401, name


def test_admin_rights_change_at_once_here_and_within_seconds_in_other_workers(api):
    ticks = Ticks()
    other = other_worker(api, ticks)
    users = api.app.deps.extra["users"]
    users.add("mona", "Mona-pass-1", admin=True)
    h = {"X-Auth-Token": login(api, "mona", "Mona-pass-1").json["token"]}
    assert api.get("/users", user=None, headers=h).status_code == 200
    assert other.simulate_get("/users", headers=h).status_code == 200
    assert api.call("PUT", "/users/mona", json_body={"admin": False}).status_code == 200
    assert api.get("/users", user=None, headers=h).status_code == 403        # the worker that changed it
    ticks.now += api.app.deps.settings.user_standing_ttl + 0.1
    assert other.simulate_get("/users", headers=h).status_code == 403        # the others, within the TTL


def test_environment_rights_change_at_once_here_and_within_seconds_in_other_workers(api):
    """A worker answers an environment's access lists from what it read within `env_access_ttl`; the worker
    that changes them (an environment's `auth`, or a user's rights) sees the change with its next request."""
    ticks = Ticks()
    other = other_worker(api, ticks)
    api.call("POST", "/environment_configs", json_body=env_config("moving", {"view-env": ["alice"], "edit-env": []}))
    alice = api.headers("alice")
    query = "env_name=moving&id=nothing"
    assert api.get("/inventory", user="alice", query=query).status_code == 200
    assert other.simulate_get("/inventory", query_string=query, headers=alice).status_code == 200
    assert api.call("PUT", "/users/alice", json_body={"view_envs": ["visible"]}).status_code == 200
    assert api.get("/inventory", user="alice", query=query).status_code == 404     # here: at once
    ticks.now += api.app.deps.settings.env_access_ttl + 0.1
    assert other.simulate_get("/inventory", query_string=query, headers=alice).status_code == 404  # there: within
    assert api.call("PUT", "/users/alice", json_body={"view_envs": ["visible", "moving"]}).status_code == 200
    assert api.get("/inventory", user="alice", query=query).status_code == 200


def test_first_start_creates_admin_once(store):
    from api.auth.users import Users
    users = Users(store, rounds=4)
    password = users.ensure_admin()
    assert password and len(password) >= 16
    assert users.verify("admin", password)["admin"] is True
    assert users.ensure_admin() is None


def test_ldap_users_bind_with_an_escaped_dn(api):
    fake = ldap3.Server("fake-ldap")
    setup = ldap3.Connection(fake, client_strategy=ldap3.MOCK_SYNC)
    setup.strategy.add_entry("cn=lena,ou=users,dc=example,dc=org", {"userPassword": "Lena-ldap-1", "sn": "l"})
    setup.strategy.add_entry("cn=ops\\,admin,ou=users,dc=example,dc=org", {"userPassword": "Ops-ldap-2", "sn": "o"})
    seen = []

    def connect(server, user, password):
        seen.append(user)
        return ldap3.Connection(fake, user=user, password=password, client_strategy=ldap3.MOCK_SYNC)

    cfg = LdapConfig(url="ldap://fake-ldap", user_id_attribute="cn", user_tree_dn="ou=users,dc=example,dc=org")
    app = create_app(api.store, Settings(bcrypt_rounds=4, ldap=cfg), clock=api.clock, ldap_connect=connect)
    client = testing.TestClient(app)

    def basic(u, p):
        return {"Authorization": "Basic " + base64.b64encode(f"{u}:{p}".encode()).decode()}

    assert client.simulate_get("/health", headers=basic("lena", "Lena-ldap-1")).status_code == 200
    assert client.simulate_get("/health", headers=basic("lena", "wrong")).status_code == 401
    assert client.simulate_get("/health", headers=basic("ops,admin", "Ops-ldap-2")).status_code == 200
    assert seen[-1] == "cn=ops\\,admin,ou=users,dc=example,dc=org"
    # an LDAP user sees only what environments grant them
    assert client.simulate_get("/environment_configs", headers=basic("lena", "Lena-ldap-1")).json == \
        {"environment_configs": []}
    # a local user is still checked against their local password, never LDAP
    assert client.simulate_get("/health", headers=basic("alice", PASSWORDS["alice"])).status_code == 200


def test_first_admin_password_chosen_by_the_operator_is_used_and_never_printed(store_uri, tmp_path):
    from api.auth.users import Users
    from api.server import bootstrap_admin
    from app.store.opening import open_store

    secret_file = tmp_path / "admin_password"
    secret_file.write_text("Chosen-by-ops-42\n")
    uri = f"{store_uri}t_admin_{tmp_path.name[-8:]}"
    env = {"CALIPSO_MONGO_URI": uri, "CALIPSO_ADMIN_PASSWORD_FILE": str(secret_file)}
    assert bootstrap_admin(None, environ=env) is None
    store = open_store(environ={"CALIPSO_MONGO_URI": uri})
    try:
        assert Users(store).verify("admin", "Chosen-by-ops-42")
    finally:
        store.client.drop_database(store.db.name)
        store.close()
