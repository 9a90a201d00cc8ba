"""The contract every API route honours, as a base class each resource's test class inherits (NetBox style).

A subclass says, per method, how to call the route for an environment (`cases`), which
parameters are invalid and why (`invalid`), and the list key of its GET. The base class turns
that into: 401 without auth; 404 for an environment the caller may not view; 403 for a write
without edit-env (or admin); 400 naming each invalid parameter; the shape of each 200/201
checked against the route's own schema in /openapi.json.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import jsonschema
import pytest

Build = Callable[[str, dict], tuple]  # (env, seeded data) -> (query string, json body or None)


@dataclass
class Case:
    build: Build
    env_scoped: bool = True      # names an environment: 404 for one the caller may not view
    write: bool = False          # needs edit-env: 403 for a viewer
    admin: bool = False          # needs admin: 403 for everyone else
    status: int = 200
    mutates: bool = False        # changes data: the positive call runs last


def q(template: str, body=None) -> Build:
    return lambda env, data: (template.format(env=env, **data), body(env, data) if callable(body) else body)


def _schema(api, path: str, method: str, status: int) -> dict:
    doc = api.get("/openapi.json", user=None).json
    return doc["paths"][path][method.lower()]["responses"][str(status)]["content"]["application/json"]["schema"]


def _no_private_keys(value) -> None:
    if isinstance(value, dict):
        for k, v in value.items():
            assert not (k.startswith("_") and k != "_id"), f"synthetic key {k} leaked"
            _no_private_keys(v)
    elif isinstance(value, list):
        for v in value:
            _no_private_keys(v)


class RouteContract:
    path: str = ""
    route: str | None = None            # the path template in /openapi.json, when it differs
    cases: dict[str, Case] = {}
    invalid: list[tuple[str, str, str]] = []   # (method, query string, parameter that must be named)
    list_key: str | None = None
    viewer_sees: int | None = None      # how many rows alice sees in the visible environment's list
    not_viewable = (("alice", "hidden"), ("mallory", "visible"), ("alice", "no-such-env"))

    def _call(self, api, method, user, env, headers=None):
        query, body = self.cases[method].build(env, api.data.get(env, api.data["visible"]))
        return api.call(method, self.path.format(env=env), user=user, query=query or None, json_body=body,
                        headers=headers)

    # -- 401 ----------------------------------------------------------------------------------------
    @pytest.mark.parametrize("credentials", [None, "wrong-basic", "bad-token", "garbage-basic"])
    def test_401_without_valid_auth(self, api, credentials):
        headers = {None: {}, "wrong-basic": api.basic("alice", "not-her-password"),
                   "bad-token": {"X-Auth-Token": "0" * 32},
                   "garbage-basic": {"Authorization": "Basic %%%not-base64"}}[credentials]
        for method in self.cases:
            r = self._call(api, method, None, "visible", headers=headers)
            assert r.status_code == 401, (method, r.text)
            assert r.json["error"]["code"] == "401"

    # -- 404 ----------------------------------------------------------------------------------------
    def test_404_for_environment_caller_may_not_view(self, api):
        scoped = {m: c for m, c in self.cases.items() if c.env_scoped and not c.admin}
        if not scoped:
            pytest.skip("no environment-scoped operation")
        for method in scoped:
            for user, env in self.not_viewable:
                r = self._call(api, method, user, env)
                assert r.status_code == 404, (method, user, env, r.text)
                assert "Unknown environment" in r.json["error"]["message"]

    # -- 403 ----------------------------------------------------------------------------------------
    def test_403_for_write_without_rights(self, api):
        writes = {m: c for m, c in self.cases.items() if c.write or c.admin}
        if not writes:
            pytest.skip("no write operation")
        for method, case in writes.items():
            user = "erin" if case.admin else "alice"
            r = self._call(api, method, user, "visible")
            assert r.status_code == 403, (method, user, r.text)

    # -- 400 ----------------------------------------------------------------------------------------
    def test_400_names_each_invalid_parameter(self, api):
        if not self.invalid:
            pytest.skip("no parameters")
        for method, query, param in self.invalid:
            _, body = self.cases[method].build("visible", api.data["visible"])
            r = api.call(method, self.path.format(env="visible"), user="admin", query=query.format(env="visible"),
                         json_body=body)
            assert r.status_code == 400, (query, r.text)
            named = [p["parameter"] for p in r.json["error"].get("problems", [])]
            assert param in named, (query, r.json)

    def test_400_for_unknown_parameter(self, api):
        for method in self.cases:
            query, body = self.cases[method].build("visible", api.data["visible"])
            extra = "bogus_parameter=1"
            r = api.call(method, self.path.format(env="visible"), query=f"{query}&{extra}" if query else extra,
                         json_body=body)
            assert r.status_code == 400, (method, r.text)
            assert "bogus_parameter" in [p["parameter"] for p in r.json["error"]["problems"]]

    # -- 200 ----------------------------------------------------------------------------------------
    def test_success_shape_matches_the_document(self, api):
        ordered = sorted(self.cases.items(), key=lambda mc: mc[1].mutates)
        for method, case in ordered:
            user = "admin" if case.admin else ("erin" if case.write else "alice")
            r = self._call(api, method, user, "visible")
            assert r.status_code == case.status, (method, r.text)
            jsonschema.validate(r.json, _schema(api, self.route or self.path, method, case.status))
            _no_private_keys(r.json)
            if method == "GET" and self.list_key:
                rows = r.json[self.list_key]
                assert isinstance(rows, list)
                if self.viewer_sees is not None:
                    assert len(rows) == self.viewer_sees, rows
