"""A large clique's stored places are written where they changed: a host joining a network of
thousands rewrites its own place and its neighbours', not every host's."""

from __future__ import annotations

import mongomock
import pytest
from bson import ObjectId

from app.topology.summary_store import PLACES, SUMMARIES, compute, save


FOCAL = {"_id": ObjectId("0" * 23 + "f"), "id": "net", "type": "network"}


def clique(hosts: int) -> tuple[dict, dict, dict, list]:
    focal = FOCAL
    objects, links = {}, []
    for h in range(hosts):
        vedge = {"_id": ObjectId(f"{h + 1:024x}"), "id": f"vedge-{h}", "type": "vedge", "host": f"h{h}"}
        otep = {"_id": ObjectId(f"{h + 1:012x}{'f' * 12}"), "id": f"otep-{h}", "type": "otep", "host": f"h{h}"}
        objects[vedge["_id"]], objects[otep["_id"]] = vedge, otep
        links.append({"_id": ObjectId(f"{h + 1:012x}{'e' * 12}"), "source": vedge["_id"], "target": otep["_id"],
                      "link_type": "vedge-otep"})
        links.append({"_id": ObjectId(f"{h + 1:012x}{'d' * 12}"), "source": otep["_id"], "target": focal["_id"],
                      "link_type": "otep-network"})
    return {"_id": ObjectId("0" * 23 + "c"), "environment": "e", "_hash": str(hosts)}, focal, objects, links


def test_a_host_joining_writes_its_own_place_and_no_other():
    store = mongomock.MongoClient()["calipso"]
    c, focal, objects, links = clique(300)
    save(store, *compute(c, focal, objects, links, 1))
    before = {d["_id"]: d for d in store[PLACES].find()}
    assert len(before) == 300

    _, _, more, more_links = clique(301)
    written: list = []
    insert = store[PLACES].insert_many
    store[PLACES].insert_many = lambda docs: (written.extend(docs), insert(docs))[1]
    save(store, *compute(c, focal, more, more_links, 2))
    assert [d["key"] for d in written] == ["host:h300"]
    after = {d["_id"]: d for d in store[PLACES].find()}
    assert len(after) == 301 and all(after[i] == d for i, d in before.items())
    assert store[SUMMARIES].find_one({"_id": c["_id"]})["marker"] == 2


def test_places_that_left_the_clique_are_removed_and_changed_ones_replaced():
    store = mongomock.MongoClient()["calipso"]
    c, focal, objects, links = clique(5)
    save(store, *compute(c, focal, objects, links, 1))
    fewer = {i: d for i, d in objects.items() if d["host"] != "h4"}
    moved = {i: ({**d, "host": "h9"} if d["id"] == "otep-0" else d) for i, d in fewer.items()}
    summary, places = compute(c, focal, moved, links, 2)
    save(store, summary, places)
    stored = {d["key"]: d for d in store[PLACES].find()}
    assert set(stored) == {"host:h0", "host:h1", "host:h2", "host:h3", "host:h9"}
    assert stored["host:h0"]["members"] == [str(ObjectId(f"{1:024x}"))]
    assert stored == {p: {**d} for p, d in places.items()}


def test_refresh_saves_every_summary_it_makes_in_order_and_raises_a_failed_save(monkeypatch):
    from app.topology import summary_store

    store = mongomock.MongoClient()["calipso"]
    ids = [ObjectId(f"{i + 1:024x}") for i in range(5)]
    made, saved = [], []

    def current(store_, env, cid, keep_above, known, marks, saving):
        made.append(cid)
        saving({"_id": cid}, {})
        return {"_id": cid}, None

    monkeypatch.setattr(summary_store, "current", current)
    monkeypatch.setattr(summary_store, "save", lambda store_, summary, places: saved.append(summary["_id"]))
    assert summary_store.refresh(store, "e", [(i, 600) for i in ids]) == 5
    assert made == saved == sorted(ids)

    def failing(store_, summary, places):
        if summary["_id"] == ids[1]:
            raise RuntimeError("store gone")
        saved.append(summary["_id"])
    saved.clear()
    made.clear()
    monkeypatch.setattr(summary_store, "save", failing)
    with pytest.raises(RuntimeError, match="store gone"):
        summary_store.refresh(store, "e", [(i, 600) for i in ids])
    assert saved[0] == ids[0] and ids[1] not in saved and len(made) < len(ids)   # it stopped making
