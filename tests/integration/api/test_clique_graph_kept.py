"""/clique_graph of a large clique opened again: the kept graph (app.topology.graph_cache) shows what fails now,
and a logged change builds it again."""

from __future__ import annotations

from app.changelog import ChangeLog
from app.diffing import Changes
from app.topology.graph import DRAWN_FIELDS, DRAWN_LINK_FIELDS, Bounds, build
from app.topology.source import find_clique, hover_spec, load_clique
from tests.integration.ui.graph_harness import star

ENV = "visible"


def _open(api, made, **extra) -> dict:
    query = f"env_name={ENV}&focal_point_object_id={made['instance']}&" + "&".join(f"{k}={v}" for k, v in extra.items())
    r = api.get("/clique_graph", user="alice", query=query)
    assert r.status_code == 200, r.text
    return r.json


def _monitored(api, coll: str, query: dict, status: str, text: str) -> None:
    """A status as monitoring writes it: on the document, with no change-log entry."""
    value = ("OK", "Warning", "Error").index(status)
    api.store[coll].update_many(query, {"$set": {"status": status, "status_value": value, "status_text": text}})


def _as_built_now(api, made, max_nodes: int) -> dict:
    clique = find_clique(api.store, ENV, object_id=made["instance"])
    data = load_clique(api.store, clique, (DRAWN_FIELDS, DRAWN_LINK_FIELDS))
    return build(data.focal, data.objects, data.links, hover_spec(api.store), Bounds(None, max_nodes))


def _statuses(g: dict) -> dict:
    return {e["id"]: e["status"] for part in ("nodes", "links") for e in g[part]}


def test_a_large_graph_opened_again_shows_what_fails_now(api):
    made = star(api.store, ENV, hosts=2, vnics_per_host=300, statuses={f"{ENV}-h0-tap0": "Error", f"{ENV}-h1-br": "OK"})
    assert made["objects"] > 500
    first = _open(api, made, max_nodes=2000)
    by_obj = {n["object_id"]: n for n in first["nodes"]}
    assert by_obj[f"{ENV}-h0-tap0"]["status"] == "Error" and by_obj[f"{ENV}-h1-br"]["status"] == "OK"
    assert by_obj[f"{ENV}-h0-tap1"]["status"] is None and first["status"] == "Error"

    _monitored(api, "inventory", {"id": f"{ENV}-h0-tap0"}, "OK", "fine again")
    _monitored(api, "inventory", {"id": f"{ENV}-h1-tap7"}, "Error", "port down")
    _monitored(api, "links", {"source_id": f"{ENV}-h1-tap9"}, "Warning", "flapping")
    again = _open(api, made, max_nodes=2000)
    by_obj = {n["object_id"]: n for n in again["nodes"]}
    assert by_obj[f"{ENV}-h0-tap0"]["status"] == "OK"
    assert by_obj[f"{ENV}-h1-tap7"]["status"] == "Error" and by_obj[f"{ENV}-h1-tap7"]["status_text"] == "port down"
    tap9 = by_obj[f"{ENV}-h1-tap9"]["id"]
    assert [l["status"] for l in again["links"] if l["source"] == tap9] == ["Warning"]
    assert _statuses(again) == _statuses(_as_built_now(api, made, 2000))
    assert again["status"] == "Error"

    _monitored(api, "inventory", {"id": f"{ENV}-h1-tap7"}, "OK", "up")
    _monitored(api, "links", {"source_id": f"{ENV}-h1-tap9"}, "OK", "steady")
    healed = _open(api, made, max_nodes=2000)
    assert _statuses(healed) == _statuses(_as_built_now(api, made, 2000)) and healed["status"] == "OK"


def test_a_folded_object_that_fails_colours_the_node_holding_it(api):
    made = star(api.store, ENV, hosts=2, vnics_per_host=300)
    capped = _open(api, made, max_nodes=200)
    drawn = {n["object_id"] for n in capped["nodes"] if not n.get("aggregate")}
    folded = next(f"{ENV}-h1-tap{i}" for i in range(299, 0, -1) if f"{ENV}-h1-tap{i}" not in drawn)
    _monitored(api, "inventory", {"id": folded}, "Warning", "slow")
    again = _open(api, made, max_nodes=200)
    holders = [n for n in again["nodes"] if n.get("aggregate") and n["status"] == "Warning"]
    assert [(n["type"], n["host"]) for n in holders] == [("vnic", f"{ENV}-h1")]
    assert _statuses(again) == _statuses(_as_built_now(api, made, 200))


def test_a_logged_change_builds_the_graph_again(api):
    made = star(api.store, ENV, hosts=2, vnics_per_host=300)
    assert {n["name"] for n in _open(api, made, max_nodes=2000)["nodes"]} >= {f"{ENV}-h0-br"}
    renamed = {"name": "bridge zero", "object_name": "bridge zero"}
    api.store["inventory"].update_one({"id": f"{ENV}-h0-br"}, {"$set": renamed})
    ChangeLog(api.store).record(ENV, Changes(), "scan", checkpoint=True)   # what a scan or the listener logs
    names = {n["name"] for n in _open(api, made, max_nodes=2000)["nodes"]}
    assert "bridge zero" in names and f"{ENV}-h0-br" not in names
