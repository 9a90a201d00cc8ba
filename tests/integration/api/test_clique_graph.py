"""/clique_graph: the bounded graph of a clique, against the route contract and on cliques built here."""

from __future__ import annotations

from tests.integration.api.contract import Case, RouteContract, q
from tests.integration.ui.graph_harness import star

NO_OID = "0123456789abcdef01234567"


class TestCliqueGraphContract(RouteContract):
    path = "/clique_graph"
    cases = {"GET": Case(q("env_name={env}&focal_point_object_id={host}"))}
    invalid = [("GET", "env_name={env}&focal_point=zz", "focal_point"), ("GET", "env_name={env}&id=12", "id"),
               ("GET", "env_name={env}&focal_point_object_id=x&depth=-1", "depth"),
               ("GET", "env_name={env}&focal_point_object_id=x&max_nodes=0", "max_nodes"),
               ("GET", "env_name={env}&focal_point_object_id=x&max_nodes=999999", "max_nodes"),
               ("GET", "focal_point_object_id=x", "env_name"),
               ("GET", "env_name={env}", "focal_point_object_id"),
               ("GET", "env_name={env}&focal_point_object_id=a&id=" + NO_OID, "focal_point_object_id")]


def test_whole_clique_with_status_depth_and_hover(api):
    env = "visible"
    made = star(api.store, env, hosts=2, vnics_per_host=3,
                statuses={f"{env}-vm": "Error", f"{env}-h1-br": "warning", f"{env}-h0-tap0": "OK"})
    r = api.get("/clique_graph", user="alice", query=f"env_name={env}&focal_point_object_id={made['instance']}")
    assert r.status_code == 200, r.text
    g = r.json
    assert len(g["nodes"]) == made["objects"] == 1 + 6 + 2
    assert len(g["links"]) == made["links"] == 12
    assert g["omitted"]["nodes"] == 0 and g["omitted"]["links"] == 0 and g["omitted"]["aggregated"] == []
    by_obj = {n["object_id"]: n for n in g["nodes"]}
    assert by_obj[f"{env}-vm"]["status"] == "Error" and by_obj[f"{env}-vm"]["focal"] is True
    assert by_obj[f"{env}-h1-br"]["status"] == "Warning"
    assert by_obj[f"{env}-h0-tap0"]["status"] == "OK" and by_obj[f"{env}-h0-tap1"]["status"] is None
    assert [by_obj[f"{env}-vm"]["depth"], by_obj[f"{env}-h0-tap0"]["depth"], by_obj[f"{env}-h0-br"]["depth"]] == [0, 1, 2]
    assert by_obj[f"{env}-vm"]["name"] == "vm <b>one</b>"   # raw text: the page escapes, the API does not mangle
    assert "hover" not in by_obj[f"{env}-vm"]   # read when pointed at (/graph_card), not shipped with 2,000 nodes
    assert g["tooltips"]["instance"] == api.store["attributes_for_hover_on_data"].find_one({"type": "instance"})["tooltip"]
    card = api.get("/graph_card", user="alice", query=f"env_name={env}&id={by_obj[f'{env}-vm']['id']}").json
    assert dict(r[:2] for r in card["rows"])["type"] == "instance"
    assert {l["link_type"] for l in g["links"]} == {"instance-vnic", "vnic-vconnector"}
    ids = {n["id"] for n in g["nodes"]}
    assert all(l["source"] in ids and l["target"] in ids for l in g["links"])
    assert g["status"] == "Error"

    shallow = api.get("/clique_graph", query=f"env_name={env}&focal_point_object_id={made['instance']}&depth=1").json
    assert len(shallow["nodes"]) == 7 and len(shallow["links"]) == 6
    assert shallow["omitted"]["beyond_depth"] == {"vconnector": 2}


def test_large_clique_is_capped_and_says_what_it_folded(api):
    env = "visible"
    made = star(api.store, env, hosts=4, vnics_per_host=300)   # 1 + 1200 vnics + 4 bridges
    r = api.get("/clique_graph", query=f"env_name={env}&focal_point_object_id={made['instance']}&max_nodes=200")
    g = r.json
    real = [n for n in g["nodes"] if not n.get("aggregate")]
    folded = [n for n in g["nodes"] if n.get("aggregate")]
    assert len(real) == 200
    assert sum(n["count"] for n in folded) == made["objects"] - 200 == g["omitted"]["nodes"]
    assert {(a["type"], a["host"]) for a in g["omitted"]["aggregated"]} == {(n["type"], n["host"]) for n in folded}
    assert all(n["name"].startswith(f"+{n['count']} more ") for n in folded)
    assert g["total"] == {"nodes": made["objects"], "links": made["links"]}
    ids = {n["id"] for n in g["nodes"]}
    assert all(l["source"] in ids and l["target"] in ids for l in g["links"])
    shown_individually = [l for l in g["links"] if not l.get("aggregate")]
    assert g["omitted"]["links"] == made["links"] - len(shown_individually)


def test_object_without_clique_is_404_and_one_focal_name_is_needed(api):
    r = api.get("/clique_graph", query="env_name=visible&focal_point_object_id=no-such-object")
    assert r.status_code == 404 and "No clique" in r.json["error"]["message"]
    r = api.get("/clique_graph", query=f"env_name=visible&focal_point_object_id={api.data['visible']['vnic']}")
    assert r.status_code == 404
    r = api.get("/clique_graph", query=f"env_name=visible&focal_point={api.data['visible']['focal_point']}")
    assert r.status_code == 200 and len(r.json["nodes"]) == 4
