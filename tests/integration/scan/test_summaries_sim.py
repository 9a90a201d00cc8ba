"""The summaries of large cliques a scan stores are made from what it has just written, not read back from the
store: they must be exactly the ones made by reading the store, on a first scan and after monitoring and a
rescan changed what the store holds."""

from __future__ import annotations

import bson
import pytest

from app.changelog import ChangeLog
from app.topology import summary_store
from app.topology.source import UNREAD
from scan.controller import ScanController, ScanOptions
from simulator.model.build import add_compute
from tests.scan_support.sim import start_in_process
from tests.scan_support.stores import sim_store


@pytest.fixture
def cloud(store_uri, tmp_path, monkeypatch):
    monkeypatch.setattr(summary_store, "STORE_ABOVE", 12)   # a small cloud's network cliques count as large
    name = "summaries"
    sim = start_in_process(name, tmp_path, computes=4, instances=8, networks=2, l2_population=False)
    with sim_store(store_uri, sim) as store:
        yield name, sim, store


def scan(store, name) -> None:
    result = ScanController(store, ScanOptions(env=name)).run()
    assert result.status == "completed", result.reason


def as_stored(doc: dict) -> dict:
    return bson.decode(bson.encode(doc))     # tuples become lists, as the store gives them


def stored_and_read_back(store, name) -> list[tuple[tuple, tuple]]:
    """(stored summary and places, the same made now from the store alone) of each stored summary."""
    out = []
    for kept in store[summary_store.SUMMARIES].find({"environment": name}):
        places = {d["key"]: d for d in store[summary_store.PLACES].find({"clique": str(kept["_id"])})}
        clique = store["cliques"].find_one({"_id": kept["_id"]}, UNREAD)
        summary, made_places = summary_store.build(store, clique, kept["marker"])
        out.append(((kept, places), (as_stored(summary), {p: as_stored(d) for p, d in made_places.items()})))
    return out


def test_summaries_made_from_what_a_scan_wrote_are_those_the_store_gives(cloud):
    name, sim, store = cloud
    scan(store, name)
    pairs = stored_and_read_back(store, name)
    assert len(pairs) >= 2, "the cloud's network cliques should have stored summaries"
    for (kept, places), (made, made_places) in pairs:
        assert kept == made
        assert places == made_places
        assert kept["places"] and kept["edges"]

    # monitoring marks some objects; a host joins, so the rescan makes the network cliques' summaries again,
    # from its new objects and from stored ones that carry fields only the store knows
    some = [d["_id"] for d in store["inventory"].find({"environment": name, "type": "vedge"})]
    store["inventory"].update_many({"_id": {"$in": some}}, {"$set": {"status": "Warning", "status_value": 1}})
    before = {d["_id"]: d["clique_hash"] for d in store[summary_store.SUMMARIES].find({"environment": name})}
    model = sim.live_model
    joined = add_compute(model)
    net = next(n for n in model.networks.values() if not n.external)
    model.create_server("vm-joined", [net.id], project_id=net.project_id, host=joined.name)
    scan(store, name)
    every = stored_and_read_back(store, name)
    pairs = [p for p in every if p[0][0]["clique_hash"] != before.get(p[0][0]["_id"])]
    assert pairs, "no summary was made again"
    # those that still stand are marked as checked at the scan's change marker (in one write, by refresh)
    marker = ChangeLog(store).last_seq(name)
    standing = [kept["_id"] for (kept, _), _ in every if kept["clique_hash"] == before.get(kept["_id"])]
    assert standing, "every summary was made again"
    assert {m["_id"]: m["marker"] for m in store[summary_store.MARKS].find({"_id": {"$in": standing}})} == \
        dict.fromkeys(standing, marker)
    for (kept, places), (made, made_places) in pairs:
        assert kept == made
        assert places == made_places
    assert any(p[3] == "OK" for (kept, _), _ in pairs for p in kept["places"]), "monitored places are kept"
    assert any(p[0] == f"host:{joined.name}" for (kept, _), _ in pairs for p in kept["places"])
