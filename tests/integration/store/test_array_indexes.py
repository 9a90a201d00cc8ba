"""The embedded store keeps no index of a field that holds arrays (a clique's node and link ids): SQLite would key
each clique by the whole array's text, which no query can use, and every write paid for it. A store made by an
older version loses those indexes at start-up, and the cliques holding a node are still all found."""

from __future__ import annotations

import sqlite3

from bson import ObjectId

from app.store.indexes import ensure_indexes
from app.store.init import init_db


def _sqlite_indexes(calipso_home, store) -> set[str]:
    path = calipso_home / "store" / "data" / f"{store.db.name}.db"
    with sqlite3.connect(path) as conn:
        return {n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type='index' AND tbl_name='cliques'")}


def _clique(env: str, nodes: list[ObjectId]) -> dict:
    return {"environment": env, "focal_point": nodes[0], "nodes": nodes, "links": [],
            "_nodes": [str(n) for n in nodes], "_links": []}


def test_an_older_stores_array_indexes_go_and_the_cliques_of_a_node_are_still_found(store, calipso_home):
    ensure_indexes(store.__getitem__)                  # as a version before this one made them
    assert any("_nodes" in n for n in _sqlite_indexes(calipso_home, store))
    a, b, c = ObjectId(), ObjectId(), ObjectId()
    store["cliques"].insert_many([_clique("e", [a, b]), _clique("e", [b, c]), _clique("e", [c])])

    init_db(store)                                     # this version's start-up on the same store

    left = _sqlite_indexes(calipso_home, store)
    assert not [n for n in left if "_nodes" in n or "_links" in n], left     # the indexes and their type probes
    assert any("_key" in n for n in left) and any("environment" in n for n in left)
    assert "_nodes" not in {k for info in store["cliques"].index_information().values() for k in info["key"]}
    found = store["cliques"].find({"_nodes": {"$in": [str(b)]}}, {"focal_point": 1})
    assert sorted(str(d["focal_point"]) for d in found) == sorted([str(a), str(b)])
    assert store["cliques"].count_documents({"_nodes": str(c)}) == 2
    init_db(store)                                     # again: nothing left to drop, nothing made
    assert _sqlite_indexes(calipso_home, store) == left
