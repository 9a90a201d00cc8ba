"""No secret anywhere: not in any response body or header of any route, not in any log line.

The environments carry distinctive passwords and tokens (conftest.SECRETS); users have
distinctive passwords. Every route is called (the contract cases of test_routes, as admin,
for both environments), plus the paths where a secret is most likely to slip out: single
documents, validation errors about secret fields, connection tests, PUT round trips.
"""

from __future__ import annotations

import inspect

from tests.integration.api import test_routes
from tests.integration.api.conftest import PASSWORDS, SECRETS, fresh_env_config
from tests.integration.api.contract import RouteContract


def _all_secrets() -> list[str]:
    return [s for values in SECRETS.values() for s in values] + list(PASSWORDS.values())


def _assert_clean(text: str, where: str) -> None:
    for s in _all_secrets():
        assert s not in text, f"secret {s[:4]}... found in {where}"


def test_no_secret_in_any_response_or_log_line(api):
    responses = []

    def call(method, path, **kw):
        r = api.call(method, path, **kw)
        responses.append((f"{method} {path} {kw.get('query')}", r))
        return r

    # every route and method of the contract suite, for both environments
    for _, cls in inspect.getmembers(test_routes, inspect.isclass):
        if not issubclass(cls, RouteContract) or cls is RouteContract:
            continue
        for method, case in cls.cases.items():
            for env in ("visible", "hidden"):
                query, body = case.build(env, api.data[env])
                call(method, cls.path.format(env=env), query=query or None, json_body=body)
    # single documents with secrets behind them
    for env in ("visible", "hidden"):
        call("GET", "/environment_configs", query=f"name={env}")
        call("GET", f"/environment_configs/{env}")
    created = call("POST", "/connection_tests", json_body={
        "environment": "visible", "test_targets": ["mysql", "AMQP"], "targets_configuration": [
            {"name": "mysql", "host": "10.0.0.1", "port": 3306, "user": "root"},
            {"name": "AMQP", "host": "10.0.0.1", "port": 5672, "user": "u"}]})
    assert created.status_code == 201, created.text
    from bson import ObjectId
    stored = api.store["connection_tests"].find_one({"_id": ObjectId(created.json["id"])})
    assert stored["targets_configuration"][0]["pwd"] == SECRETS["visible"][2]  # kept from the environment
    call("GET", "/connection_tests", query=f"env_name=visible&id={created.json['id']}")
    # validation errors about secret fields must not echo them
    bad = fresh_env_config("leaky")
    SECRETS["leaky"] = SECRETS["leaky"] + ["Key-Secret-relative"]
    for s in bad["configuration"]:
        if s["name"] == "CLI":
            s["key"] = "Key-Secret-relative"
        if s["name"] == "mysql":
            s["pwd"] = 12345
        if s["name"] == "AMQP":
            s["port"] = "not-a-port"  # a non-secret field: its value may be echoed
    r = call("POST", "/environment_configs", json_body=bad)
    assert r.status_code == 400 and "CLI" in r.text
    bad_test = {"environment": "new-env", "test_targets": ["CLI"], "targets_configuration": [
        {"name": "CLI", "host": "10.0.0.9", "user": "root", "key": "Key-Secret-relative"}]}
    assert call("POST", "/connection_tests", json_body=bad_test).status_code == 400
    # a PUT that omits secrets keeps them, and its answer shows none
    assert call("PUT", "/environment_configs/visible", json_body={
        **fresh_env_config("visible", {"view-env": ["alice", "erin"], "edit-env": ["erin"]}),
        "configuration": [{k: v for k, v in s.items() if k not in ("pwd", "admin_token")}
                          for s in fresh_env_config("visible")["configuration"]]}).status_code == 200
    # wrong passwords are not logged either
    call("POST", "/auth/tokens", user=None, json_body={"auth": {"methods": ["credentials"], "credentials": {
        "username": "alice", "password": PASSWORDS["mallory"]}}})

    assert len(responses) > 40
    for where, r in responses:
        assert r.status_code < 500, (where, r.text)
        _assert_clean(r.text, where)
        _assert_clean(" ".join(f"{k}: {v}" for k, v in r.headers.items()), where + " headers")
    assert api.logs.lines, "the API logged nothing at DEBUG: the log check would be empty"
    for line in api.logs.lines:
        _assert_clean(line, "log line")


def test_put_without_secrets_keeps_the_stored_ones(api):
    doc = fresh_env_config("visible", {"view-env": ["alice", "erin"], "edit-env": ["erin"]})
    before = api.store["environments_config"].find_one({"name": "visible"})
    for s in doc["configuration"]:
        s.pop("pwd", None)
        s.pop("admin_token", None)
    doc["distribution_version"] = "zed"
    r = api.call("PUT", "/environment_configs/visible", user="erin", json_body=doc)
    assert r.status_code == 200, r.text
    after = api.store["environments_config"].find_one({"name": "visible"})
    pw = lambda d, n: next(s for s in d["configuration"] if s["name"] == n).get("pwd")
    assert pw(after, "mysql") == pw(before, "mysql") and pw(after, "mysql")
    shown = api.get("/environment_configs/visible", user="alice").json
    assert next(s for s in shown["configuration"] if s["name"] == "mysql")["pwd"] == "<redacted>"
