"""Bad input gets a clear 400 naming what is wrong, never a 500; empty results are 200 with []."""

from __future__ import annotations

import json

import pytest


def problems(r) -> dict:
    assert r.status_code == 400, r.text
    return {p["parameter"]: p["reason"] for p in r.json["error"].get("problems", [])}


@pytest.mark.parametrize("raw, reason", [
    (b'{"env_name": "visible", ', "bad syntax"), (b"[1, 2]", "must be an object"), (b"", "No data"),
    (b"   ", "No data"), (b'"just a string"', "must be an object"), (b"\xff\xfe", "UTF-8"),
    (b"[" * 5000 + b"]" * 5000, "")])
def test_malformed_bodies(api, raw, reason):
    r = api.call("POST", "/scans", user="erin", body=raw)
    assert r.status_code == 400, r.text
    assert reason in r.json["error"]["message"]


def test_oversized_body(api):
    big = json.dumps({"env_name": "visible", "log_level": "info", "object_id": "x" * (1 << 20)})
    r = api.call("POST", "/scans", user="erin", body=big)
    assert "larger than" in problems(r)["body"]


def test_every_problem_is_listed_with_its_parameter(api):
    r = api.call("POST", "/scans", user="erin", json_body={"env_name": 5, "log_level": "loud", "clear": "maybe",
                                                            "colour": "red"})
    p = problems(r)
    assert set(p) == {"env_name", "log_level", "clear", "colour"}
    assert "string" in p["env_name"] and "not one of" in p["log_level"] and "unknown" in p["colour"]


@pytest.mark.parametrize("query, param", [
    ("env_name=visible&id=not-an-oid", "id"), ("env_name=visible&id=" + "g" * 24, "id"),
    ("env_name=visible&focal_point=123", "focal_point")])
def test_bogus_object_ids(api, query, param):
    path = "/links" if query.count("focal_point") == 0 else "/cliques"
    assert param in problems(api.get(path, query=query))


@pytest.mark.parametrize("query, param", [
    ("env_name=visible&$where=1", "$where"), ("env_name[$ne]=x", "env_name[$ne]"),
    ("env_name=visible&id=$ne", "id"), ("env_name=$gt", "env_name"), ("env_name=visible&parent_id[$regex]=.", "parent_id[$regex]")])
def test_mongo_operators_in_query_strings_are_rejected(api, query, param):
    assert param in problems(api.get("/inventory", query=query))


def test_mongo_operators_in_bodies_are_rejected(api):
    r = api.call("POST", "/scans", user="erin", json_body={"env_name": {"$ne": None}, "log_level": "info"})
    assert "env_name.$ne" in problems(r)
    doc = {"name": "x", "configuration": [{"name": "CLI", "$where": "1"}]}
    assert "configuration[0].$where" in problems(api.call("POST", "/environment_configs", json_body=doc))


@pytest.mark.parametrize("qs", ["a&b", "env_name=%ff", "=x"])
def test_malformed_query_strings(api, qs):
    r = api.get("/inventory", query=qs)
    assert r.status_code == 400, r.text


def test_repeated_scalar_parameter(api):
    assert "env_name" in problems(api.get("/inventory", query="env_name=visible&env_name=hidden"))


def test_page_size_is_capped_and_the_response_says_so(api):
    r = api.get("/inventory", query="env_name=visible&page_size=5000")
    assert r.status_code == 200
    assert r.json["page_size_applied"] == 1000 and r.headers["X-Page-Size-Applied"] == "1000"
    r = api.get("/inventory", query="env_name=visible&page_size=2")
    assert "page_size_applied" not in r.json and len(r.json["objects"]) == 2


def test_empty_results_are_200_with_an_empty_list(api):
    r = api.get("/inventory", query="env_name=visible&type=switch")
    assert r.status_code == 200 and r.json == {"objects": []}
    r = api.get("/inventory", query="env_name=visible&page=99&page_size=10")
    assert r.status_code == 200 and r.json == {"objects": []}
    r = api.get("/inventory", query="env_name=visible&id=no-such-object")
    assert r.status_code == 200 and r.json == {}


def test_trailing_slash_and_unknown_routes(api):
    assert api.get("/inventory/", query="env_name=visible").status_code == 200
    r = api.get("/no/such/route")
    assert r.status_code == 404 and r.json["error"]["code"] == "404"
    r = api.call("PATCH", "/inventory")
    assert r.status_code == 405 and r.json["error"]["code"] == "405"


def test_cors_preflight_as_v2(api):
    r = api.call("OPTIONS", "/scans", user=None, headers={"Access-Control-Request-Method": "POST",
                                                           "Access-Control-Request-Headers": "X-Auth-Token"})
    assert r.status_code == 200
    assert r.headers["Access-Control-Allow-Origin"] == "*"
    assert set(r.headers["Access-Control-Allow-Methods"].replace(" ", "").split(",")) >= {"GET", "POST"}
    assert r.headers["Access-Control-Allow-Headers"] == "X-Auth-Token"
    assert r.headers["Access-Control-Max-Age"] == "86400"
