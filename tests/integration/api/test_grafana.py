"""The Grafana simple-JSON datasource: /grafana, /grafana/search, /grafana/query and the /grafana/query/<core> aliases.

The contract (401, 404, 400, shapes) through the shared base class, then each search and query type
against the data seeded by conftest (region, host, three vNICs, a scan and a schedule per environment).
"""

from __future__ import annotations

import json
from datetime import timedelta

import pytest

from app.scans import Scans
from tests.integration.api.conftest import SECRETS
from tests.integration.api.contract import Case, RouteContract, q


def _search_body(env, data):
    return {"target": json.dumps({"object_types": {"environment": env}})}


def _query(env, kind="inventoryCount", **extra):
    return {"scopedVars": {"environment": {"text": env, "value": env}}, "targets": [{"type": kind, "refId": "A"}],
            "panelId": 3, "maxDataPoints": 500, **extra}  # panelId, maxDataPoints: Grafana's own, ignored


class TestGrafana(RouteContract):
    path = "/grafana"
    cases = {"GET": Case(q(""), env_scoped=False)}


class TestGrafanaSearch(RouteContract):
    path = "/grafana/search"
    cases = {"POST": Case(q("", _search_body))}


class TestGrafanaQuery(RouteContract):
    path = "/grafana/query"
    cases = {"POST": Case(q("", lambda env, data: _query(env)))}


class TestGrafanaQueryAlias(RouteContract):
    path, list_key, viewer_sees = "/grafana/query/inventory", "objects", 5
    cases = {"GET": Case(q("env_name={env}"))}
    invalid = [("GET", "env_name={env}&type=spaceship", "type")]


# -- helpers ----------------------------------------------------------------------------------------
def search(api, target, user="admin"):
    r = api.call("POST", "/grafana/search", user=user,
                 json_body={"target": target if isinstance(target, str) else json.dumps(target)})
    assert r.status_code == 200, r.text
    return r.json


def query(api, body, user="admin", status=200):
    r = api.call("POST", "/grafana/query", user=user, json_body=body)
    assert r.status_code == status, r.text
    return r.json


def problems(r) -> dict:
    assert r.status_code == 400, r.text
    return {p["parameter"]: p["reason"] for p in r.json["error"]["problems"]}


def rows_as_dicts(tbl) -> list[dict]:
    names = [c["text"] for c in tbl["columns"]]
    return [dict(zip(names, row)) for row in tbl["rows"]]


@pytest.fixture(scope="module")
def regions(api):
    coll = api.store["environments_config"]
    coll.update_one({"name": "visible"}, {"$set": {"cvim_region": "east", "cvim_metro": "nyc"}})
    coll.update_one({"name": "hidden"}, {"$set": {"cvim_region": "west", "cvim_metro": "sfo"}})
    return api


# -- GET /grafana -----------------------------------------------------------------------------------
def test_health_says_open(api):
    r = api.get("/grafana", user="mallory")
    assert r.status_code == 200 and r.json == "We're open"


# -- /grafana/search --------------------------------------------------------------------------------
def test_regions_metros_and_environments_of_viewable_environments_only(regions):
    api = regions
    assert search(api, "regions") == ["east", "west"]
    assert search(api, "regions", user="alice") == ["east"]
    assert search(api, "regions", user="mallory") == []
    assert search(api, "metros") == ["nyc", "sfo"]
    assert search(api, {"metros": {"regions": "west"}}) == ["sfo"]
    assert search(api, {"metros": {"regions": "west"}}, user="alice") == []
    assert search(api, "environment_configs") == ["hidden", "visible"]
    assert search(api, "environment_configs", user="alice") == ["visible"]
    assert search(api, {"environment_configs": {"regions": "east", "metros": "nyc"}}) == ["visible"]
    assert search(api, {"environment_configs": {"regions": ["east", "west"], "metros": ["sfo"]}}) == ["hidden"]


@pytest.mark.parametrize("no_filter", ["all", "$__all", "", [], ["east", "$__all"], {"text": "All", "value": "$__all"}])
def test_all_and_empty_filter_values_mean_no_filter(regions, no_filter):
    assert search(regions, {"metros": {"regions": no_filter}}) == ["nyc", "sfo"]
    assert search(regions, {"environment_configs": {"regions": no_filter, "metros": no_filter}}) == ["hidden", "visible"]


def test_object_types_are_the_constant_values(api):
    plain = search(api, "object_types")
    assert {"vnic", "host", "region", "instance"} <= set(plain)
    assert search(api, {"object_types": {"environment": "visible"}}, user="alice") == plain
    assert search(api, {"object_types": {"environment": "all"}}, user="mallory") == plain


def test_search_bad_input_lists_every_problem(api):
    def bad(body, **kw):
        return problems(api.call("POST", "/grafana/search", json_body=body, **kw))

    assert "target" in bad({})
    assert "target" in bad({"target": 5})
    assert "valid JSON" in bad({"target": "{not json"})["target"]
    assert "unknown query" in bad({"target": "planets"})["target"]
    assert "exactly one" in bad({"target": json.dumps({"regions": {}, "metros": {}})})["target"]
    p = bad({"target": json.dumps({"environment_configs": {"regions": 7, "colour": "red"}})})
    assert set(p) == {"target.environment_configs.regions", "target.environment_configs.colour"}
    assert "unknown filter" in p["target.environment_configs.colour"]
    assert "$where" in bad({"target": "regions", "$where": "1"})
    r = api.call("POST", "/grafana/search", body="target=regions", headers={"Content-Type": "text/plain"})
    assert "Content-Type" in problems(r)


# -- /grafana/query ---------------------------------------------------------------------------------
def test_inventory_table_has_the_hover_attributes_and_honours_the_range(api):
    hover = {d["type"]: d["attributes"] for d in api.store["attributes_for_hover_on_data"].find()}
    body = _query("visible", "inventory", targets=[{"type": "inventory", "object_type": "vnic"}])
    [tbl] = query(api, body, user="alice")
    assert tbl["type"] == "table"
    columns = [c["text"] for c in tbl["columns"]]
    assert columns[:len(hover["ALL"])] == hover["ALL"]
    assert set(columns) == set(hover["ALL"]) | set(hover["vnic"]) and len(columns) == len(set(columns))
    rows = rows_as_dicts(tbl)
    assert [r["id"] for r in rows] == ["visible-tap0", "visible-tap1", "visible-tap2"]
    assert {r["type"] for r in rows} == {"vnic"} and rows[0]["mac_address"] == "fa:16:3e:00:00:00"
    # object_type from a dashboard variable instead of the target
    host_body = _query("visible", "inventory")
    host_body["scopedVars"]["object_type"] = {"text": "host", "value": "host"}
    assert [r["id"] for r in rows_as_dicts(query(api, host_body)[0])] == ["visible-node-1"]
    # the range filters on last_scanned
    now = api.store["inventory"].find_one({"id": "visible-tap0"})["last_scanned"]
    iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%S.000Z")  # noqa: E731 - Grafana's format
    body["range"] = {"from": iso(now - timedelta(hours=1)), "to": iso(now + timedelta(hours=1)), "raw": {"from": "now-1h"}}
    assert len(query(api, body)[0]["rows"]) == 3
    body["range"] = {"from": iso(now + timedelta(hours=1)), "to": iso(now + timedelta(hours=2))}
    assert query(api, body)[0]["rows"] == []


def test_inventory_count_is_one_row_per_type_with_its_tooltip(api):
    [tbl] = query(api, _query("visible", "inventoryCount"), user="alice")
    assert [c["text"] for c in tbl["columns"]] == ["type", "count", "tooltip"]
    rows = {r["type"]: r for r in rows_as_dicts(tbl)}
    assert {t: r["count"] for t, r in rows.items()} == {"host": 1, "region": 1, "vnic": 3}
    vnic_tooltip = api.store["attributes_for_hover_on_data"].find_one({"type": "vnic"})["tooltip"]
    assert rows["vnic"]["tooltip"] == vnic_tooltip and rows["region"]["tooltip"] == ""


def test_scans_tables_newest_first_within_the_range(api):
    base = api.store["scans"].find_one({"environment": "visible"})["submit_timestamp"]
    Scans(api.store, clock=lambda: base - timedelta(days=3)).submit("visible", log_level="error")
    Scans(api.store, clock=lambda: base + timedelta(minutes=5)).submit("visible", log_level="debug")
    scans, scheduled = query(api, _query("visible", "scans"), user="alice")
    assert [r["log_level"] for r in rows_as_dicts(scans)] == ["debug", "info", "error"]
    assert all(len(r["id"]) == 24 for r in rows_as_dicts(scans))
    assert [(r["recurrence"], r["status"]) for r in rows_as_dicts(scheduled)] == [("DAILY", "upcoming")]
    iso = lambda d: d.strftime("%Y-%m-%dT%H:%M:%SZ")  # noqa: E731
    in_range = _query("visible", "scans", range={"from": iso(base - timedelta(days=1)), "to": iso(base + timedelta(hours=1))})
    scans, scheduled = query(api, in_range)
    assert [r["log_level"] for r in rows_as_dicts(scans)] == ["debug", "info"] and len(scheduled["rows"]) == 1


def test_tree_gives_the_force_and_children_tree_graphs(api):
    assert query(api, _query("visible", "tree")) == [{"type": "table", "columns": [{"text": "type"}, {"text": "graph"}],
                                                      "rows": []}]
    nodes = [{"id": "RegionOne", "id_path": "/visible/RegionOne", "parent": "env|visible", "type": "region"}]
    api.store["graphs"].insert_many([
        {"environment": "visible", "type": "force_tree", "graph": {"nodes": nodes, "links": []}},
        {"environment": "visible", "type": "children_tree", "graph": {"id": "env|visible", "children": nodes}},
        {"environment": "visible", "type": "clique", "focal_point_id": "x", "graph": {}},
        {"environment": "hidden", "type": "force_tree", "graph": {"nodes": [], "links": []}}])
    [tbl] = query(api, _query("visible", "tree"), user="alice")
    rows = rows_as_dicts(tbl)
    assert [r["type"] for r in rows] == ["children_tree", "force_tree"]
    assert rows[1]["graph"]["graph"]["nodes"] == nodes and rows[1]["graph"]["environment"] == "visible"
    assert "_id" not in rows[1]["graph"]
    query(api, _query("hidden", "tree"), user="alice", status=404)


def test_environment_may_come_as_environment_configs_plain_or_as_a_list_of_one(api):
    expected = query(api, _query("visible"))
    for scoped in ({"environment_configs": {"text": "visible", "value": "visible"}}, {"environment": "visible"},
                   {"environment": {"value": ["visible"]}}):
        assert query(api, {"scopedVars": scoped, "targets": [{"type": "inventoryCount"}]}) == expected


def test_query_bad_input_lists_every_problem(api):
    def bad(body):
        return problems(api.call("POST", "/grafana/query", json_body=body))

    p = bad({"scopedVars": {"other": 1}, "targets": [{"type": "graphite"}], "range": {"from": "last week"}})
    assert set(p) == {"scopedVars", "targets[0].type", "range.from"}
    p = bad({"targets": "inventory"})
    assert set(p) == {"scopedVars", "targets"}
    assert set(bad({"scopedVars": {"environment": "$__all"}, "targets": [5]})) == {"scopedVars.environment", "targets[0]"}
    assert set(bad(_query("visible", "inventory"))) == {"targets[0].object_type"}
    assert set(bad(_query("visible", "inventory", targets=[{"type": "inventory", "object_type": "ufo"}]))) == \
        {"targets[0].object_type"}
    assert "scopedVars.environment.$ne" in bad({"scopedVars": {"environment": {"$ne": None}}, "targets": []})
    assert "body" in bad([_query("visible")])
    r = api.call("POST", "/grafana/query", body=json.dumps(_query("visible")), headers={"Content-Type": "text/plain"})
    assert "Content-Type" in problems(r)


def test_unknown_or_hidden_environment_is_404_before_any_data(api):
    for user, env in (("alice", "hidden"), ("mallory", "visible"), ("admin", "no-such-env")):
        body = _query(env, "inventory", targets=[{"type": "inventory", "object_type": "vnic"}])
        r = api.call("POST", "/grafana/query", user=user, json_body=body)
        assert r.status_code == 404 and "Unknown environment" in r.json["error"]["message"], r.text


# -- aliases, document, secrets ---------------------------------------------------------------------
def test_query_aliases_are_the_core_responders(api):
    for core, query_string in (("/inventory", "env_name=visible&type=vnic"), ("/links", "env_name=visible"),
                               ("/scans", "env_name=visible"), ("/environment_configs/visible", "")):
        direct = api.get(core, user="alice", query=query_string or None)
        alias = api.get("/grafana/query" + core, user="alice", query=query_string or None)
        assert direct.status_code == alias.status_code == 200 and alias.json == direct.json, core
    assert api.get("/grafana/query/inventory", user="alice", query="env_name=hidden").status_code == 404
    assert api.get("/grafana/query/inventory", user=None, query="env_name=visible").status_code == 401
    r = api.call("POST", "/grafana/query/scans", user="alice", json_body={"env_name": "visible", "log_level": "info"})
    assert r.status_code == 403  # writes through an alias need the same rights
    for not_aliased in ("/grafana/query/auth/tokens", "/grafana/query/users", "/grafana/query/grafana"):
        assert api.get(not_aliased).status_code == 404, not_aliased


def test_routes_are_in_the_openapi_document(api):
    paths = api.get("/openapi.json", user=None).json["paths"]
    assert {"/grafana", "/grafana/search", "/grafana/query", "/grafana/query/inventory",
            "/grafana/query/links", "/grafana/query/environment_configs/{name}"} <= set(paths)
    assert set(paths["/grafana/query"]) == {"post"} and "requestBody" in paths["/grafana/query"]["post"]
    assert not any(p.startswith("/grafana/query/auth") or p.startswith("/grafana/query/users") for p in paths)


def test_no_secret_in_any_grafana_response(regions):
    api = regions
    secrets = [s for values in SECRETS.values() for s in values]
    bodies = [("/grafana/search", {"target": t}) for t in ("regions", "metros", "environment_configs", "object_types")]
    bodies += [("/grafana/query", _query(env, kind, targets=[{"type": kind, "object_type": "host"}]))
               for env in ("visible", "hidden") for kind in ("inventory", "inventoryCount", "scans", "tree")]
    texts = [api.get("/grafana").text, api.get("/grafana/query/environment_configs/visible").text]
    for path, body in bodies:
        r = api.call("POST", path, json_body=body)
        assert r.status_code == 200, (path, body, r.text)
        texts.append(r.text)
    for text in texts:
        assert not any(s in text for s in secrets)
