"""Large cliques as server-built summaries (app.topology.summary through /clique_graph?group=auto), a host's
own graph (/host_graph) and what is failing now (/problems), asked of the API as the console asks it."""

from __future__ import annotations

import uuid

import pytest

from app.changelog import ChangeLog
from app.diffing import Change, Changes
from app.inventory import Inventory
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from tests.integration.ui.graph_harness import GraphHarness, network_clique, scan_into


@pytest.fixture(scope="module")
def sstore(store_uri):
    name = f"s_{uuid.uuid4().hex[:10]}"
    store = Store.connect(StoreLocation(f"{store_uri}{name}", "summary test store", embedded=True))
    init_db(store)
    yield store
    store.client.drop_database(name)
    store.close()


@pytest.fixture(scope="module")
def harness(sstore):
    h = GraphHarness(sstore)
    yield h
    h.stop()


def get(harness, path: str, **params):
    r = harness.client.simulate_get(path, params=params, headers={"X-Auth-Token": harness.token})
    assert r.status_code == 200, r.text
    return r.json


@pytest.fixture(scope="module")
def wide(sstore):
    env = "wide"
    sstore["environments_config"].insert_one({"name": env, "auth": {}})
    made = network_clique(sstore, env, hosts=150, statuses={"wide-host-00007-vedge": "Error",
                                                           "wide-host-00100-otep": "Warning"})
    return env, made


def test_a_large_clique_opens_as_host_summaries_with_counts_and_worst_status(harness, wide):
    env, made = wide
    g = get(harness, "/clique_graph", env_name=env, focal_point_object_id=made["network"], group="auto", max_nodes=500)
    assert g["total"]["nodes"] == made["objects"] == 601
    summaries = [n for n in g["nodes"] if n.get("summary")]
    singles = {n["name"]: n for n in summaries if n["type"] == "host"}
    runs = [n for n in summaries if n["type"] == "hosts"]
    # the failing hosts stay single, worst first; the 148 others are folded into runs of hosts by name
    assert singles["wide-host-00007"]["status"] == "Error" and singles["wide-host-00100"]["status"] == "Warning"
    assert singles["wide-host-00007"]["counts"] == {"vnic": 1, "vconnector": 1, "vedge": 1, "otep": 1}
    assert sum(r["hosts"] for r in runs) == 148 and len(runs) <= 40
    assert sum(n["count"] for n in summaries) == 600
    assert [n["type"] for n in g["nodes"] if not n.get("summary")] == ["network"]
    # one aggregated edge from the network to each summary, counting the links it stands for
    agg = [l for l in g["links"] if l.get("aggregate")]
    assert len(agg) == len(summaries) and all(l["link_name"].endswith("links") for l in agg)
    assert g["status"] == "Error"


def test_opening_a_run_then_a_host_draws_its_objects(harness, wide):
    env, made = wide
    g = get(harness, "/clique_graph", env_name=env, focal_point_object_id=made["network"], group="auto")
    run = next(n for n in g["nodes"] if n.get("type") == "hosts")
    opened = get(harness, "/clique_graph", env_name=env, focal_point_object_id=made["network"], group="auto",
                 expand=run["expand"])
    hosts = [n for n in opened["nodes"] if n.get("type") == "host" and n.get("summary")]
    assert len(hosts) == 2 + run["hosts"]
    host = hosts[-1]
    deeper = get(harness, "/clique_graph", env_name=env, focal_point_object_id=made["network"], group="auto",
                 expand=[run["expand"], host["expand"]])
    drawn = {n["type"] for n in deeper["nodes"] if n.get("host") == host["name"]}
    assert drawn == {"vnic", "vconnector", "vedge", "otep"}
    assert not any(n.get("expand") == host["expand"] for n in deeper["nodes"])
    # the run stays open around the opened host: its other hosts are still single summaries
    still = {n["expand"] for n in deeper["nodes"] if n.get("summary")}
    assert {h["expand"] for h in hosts if h is not host} <= still
    # the opened host's own links are drawn as they are, with their names and types
    plain = [l for l in deeper["links"] if not l.get("aggregate")]
    assert {l["link_type"] for l in plain} == {"network-vnic", "vnic-vconnector", "vconnector-vedge", "vedge-otep"}


def test_summaries_follow_monitoring_changes_and_rescans(harness, sstore, wide):
    env, made = wide
    ask = dict(env_name=env, focal_point_object_id=made["network"], group="auto")
    status = lambda g, host: next(n["status"] for n in g["nodes"] if n.get("expand") == f"host:{host}")  # noqa: E731
    assert status(get(harness, "/clique_graph", **ask), "wide-host-00007") == "Error"
    inv = Inventory(sstore)
    inv.set_fields(env, "vedge", "wide-host-00007-vedge", {"status": "OK", "status_value": 0})
    inv.set_fields(env, "otep", "wide-host-00120-otep", {"status": "Error", "status_value": 2})
    try:
        g = get(harness, "/clique_graph", **ask)
        assert status(g, "wide-host-00120") == "Error"
        assert not any(n.get("expand") == "host:wide-host-00007" for n in g["nodes"])   # folded into a run again
    finally:
        inv.set_fields(env, "vedge", "wide-host-00007-vedge", {"status": "Error", "status_value": 2})
        inv.set_fields(env, "otep", "wide-host-00120-otep", {"status": "OK", "status_value": 0})


def test_summaries_follow_what_the_listener_moves_and_stay_stored(harness, sstore, wide):
    """A listener batch that moves an object to another host (logged, the clique itself unchanged) shows
    on the next opening; the summary is not made again on every opening."""
    env, made = wide
    ask = dict(env_name=env, focal_point_object_id=made["network"], group="auto")
    host = lambda g, name: next(n for n in g["nodes"] if n.get("expand") == f"host:{name}")  # noqa: E731
    assert host(get(harness, "/clique_graph", **ask), "wide-host-00007")["counts"]["otep"] == 1
    stamp = sstore["clique_summaries"].find_one({"environment": env}, {"marker": 1})
    assert stamp is not None, "a clique over 500 objects keeps a summary from its write on"
    inv = Inventory(sstore)
    moved = inv.get(env, "wide-host-00100-otep")
    inv.set_fields(env, "otep", moved["id"], {"host": "wide-host-00007"})
    ChangeLog(sstore).record(env, Changes(objects=[Change("changed", {**moved, "host": "wide-host-00007"},
                                                          {"host": ("wide-host-00100", "wide-host-00007")})]), "listener")
    try:
        g = get(harness, "/clique_graph", **ask)
        seven = host(g, "wide-host-00007")
        # the moved OTEP (in warning) now counts on host 7, and host 100 has nothing failing: folded into a run
        assert seven["counts"]["otep"] == 2 and seven["count"] == 5
        assert not any(n.get("expand") == "host:wide-host-00100" for n in g["nodes"])
        assert sum(n["count"] for n in g["nodes"] if n.get("summary")) == 600
    finally:
        inv.set_fields(env, "otep", moved["id"], {"host": "wide-host-00100"})
        ChangeLog(sstore).record(env, Changes(objects=[Change("changed", moved,
                                                              {"host": ("wide-host-00007", "wide-host-00100")})]), "listener")
    g = get(harness, "/clique_graph", **ask)
    assert host(g, "wide-host-00100")["counts"] == {"vnic": 1, "vconnector": 1, "vedge": 1, "otep": 1}
    # a status change alone (monitoring: not logged) leaves the stored summary as it was
    marker = sstore["clique_summaries"].find_one({"environment": env}, {"marker": 1})["marker"]
    inv.set_fields(env, "vnic", "wide-host-00120-vnic", {"status": "Error", "status_value": 2})
    try:
        assert host(get(harness, "/clique_graph", **ask), "wide-host-00120")["status"] == "Error"
    finally:
        inv.set_fields(env, "vnic", "wide-host-00120-vnic", {"status": "OK", "status_value": 0})
    assert sstore["clique_summaries"].find_one({"environment": env}, {"marker": 1})["marker"] == marker


def test_without_group_the_clique_graph_is_as_before(harness, wide):
    env, made = wide
    g = get(harness, "/clique_graph", env_name=env, focal_point_object_id=made["network"], max_nodes=100)
    assert not any(n.get("summary") for n in g["nodes"]) and g["omitted"]["aggregated"]


@pytest.fixture(scope="module")
def scanned(sstore, tmp_path_factory):
    name = "sum-sim"
    model = scan_into(sstore, name, tmp_path_factory.mktemp(name))
    return name, model


def test_a_host_graph_holds_what_runs_on_the_host(harness, sstore, scanned):
    env, _ = scanned
    host = next(Inventory(sstore).of_type(env, "host"))
    on_host = {d["type"] for d in Inventory(sstore).find({"environment": env, "host": host["id"]})}
    g = get(harness, "/host_graph", env_name=env, host=host["id"])
    assert g["focal_point"]["object_id"] == host["id"]
    drawn = {n["type"] for n in g["nodes"] if n.get("host") == host["id"]}
    for t in ("instance", "vnic", "vconnector", "vedge", "host_pnic"):
        assert t not in on_host or t in drawn, (t, drawn)
    assert g["links"], "a host's objects are joined by links"
    r = harness.client.simulate_get("/host_graph", params={"env_name": env, "host": "no-such-host"},
                                    headers={"X-Auth-Token": harness.token})
    assert r.status_code == 404 and "no-such-host" in r.json["error"]["message"]


def test_problems_lists_what_fails_worst_first(harness, sstore, scanned):
    env, _ = scanned
    inv = Inventory(sstore)
    vnic = next(inv.of_type(env, "vnic"))
    vedge = next(inv.of_type(env, "vedge"))
    inv.set_fields(env, "vnic", vnic["id"], {"status": "Warning", "status_value": 1, "status_text": "slow"})
    inv.set_fields(env, "vedge", vedge["id"], {"status": "Error", "status_value": 2, "status_text": "down"})
    p = get(harness, "/problems", env_name=env)
    assert [(r["id"], r["status"]) for r in p["problems"]] == [(vedge["id"], "Error"), (vnic["id"], "Warning")]
    assert p["counts"][env] == {"Error": 1, "Warning": 1}
    assert p["problems"][0]["host"] == vedge["host"] and p["problems"][0]["status_text"] == "down"
    inv.set_fields(env, "vedge", vedge["id"], {"status": "OK", "status_value": 0})
    assert [r["id"] for r in get(harness, "/problems", env_name=env)["problems"]] == [vnic["id"]]


def test_a_change_elsewhere_leaves_the_stored_summary_unwritten(harness, sstore, wide):
    """A change logged outside the clique moves the environment's marker: the summary still stands, and
    checking it again writes its marker apart, not the whole summary (hundreds of KB at 10,000 hosts)."""
    env, made = wide
    ask = dict(env_name=env, focal_point_object_id=made["network"], group="auto")
    get(harness, "/clique_graph", **ask)
    before = sstore["clique_summaries"].find_one({"environment": env})
    ChangeLog(sstore).record(env, Changes(objects=[Change("changed", {"_id": None, "id": "elsewhere", "type": "vnic"},
                                                          {"name": ("a", "b")})]), "listener")
    marker = ChangeLog(sstore).last_seq(env)
    assert marker > before["marker"]
    g = get(harness, "/clique_graph", **ask)
    assert sum(n["count"] for n in g["nodes"] if n.get("summary")) == 600
    assert sstore["clique_summaries"].find_one({"environment": env}) == before
    assert sstore["clique_summary_marks"].find_one({"_id": before["_id"]})["marker"] == marker
