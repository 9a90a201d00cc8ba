"""The embedded store's Python-answered finds read only the rows their SQL clauses select
(app.store.embedded_narrow), in neosqlite itself with the store's patches applied."""

from __future__ import annotations

import pytest

neosqlite = pytest.importorskip("neosqlite")

from app.store import embedded_patches  # noqa: E402
from app.store.embedded_exact import Probe, answering  # noqa: E402
from app.store.embedded_narrow import conjuncts, narrow_for, narrowing  # noqa: E402


@pytest.fixture
def coll():
    embedded_patches.apply_all()
    conn = neosqlite.Connection(":memory:")
    c = conn["things"]
    c.create_index("parent")
    c.insert_many([{"parent": f"p{i % 50}", "shown": i % 3 != 0, "n": i} for i in range(500)])
    yield conn, c
    conn.close()


def test_conjuncts_are_the_top_level_fields_and_those_of_a_top_level_and():
    query = {"a": 1, "$and": [{"b": 2}, {"$and": [{"c": 3}]}], "$or": [{"d": 4}]}
    assert conjuncts(query) == [("a", 1), ("b", 2), ("c", 3)]


def test_a_python_answered_find_reads_the_rows_of_its_indexed_clause(coll):
    conn, c = coll
    query = {"parent": "p7", "shown": {"$ne": False}}
    narrow = narrow_for(query, Probe(conn.db, "things"), allow_regex=True)
    assert narrow is not None and narrow[0] == {"parent": "p7"}
    statements: list[str] = []
    conn.db.set_trace_callback(statements.append)
    try:
        with answering(True), narrowing(narrow):
            got = sorted(d["n"] for d in c.find(query))
    finally:
        conn.db.set_trace_callback(None)
    assert got == [i for i in range(500) if i % 50 == 7 and i % 3 != 0]
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM" in s and "things" in s]
    assert reads and all("WHERE" in s and "parent" in s for s in reads), reads


def test_nothing_in_sql_leaves_the_whole_collection_to_the_matcher(coll):
    conn, c = coll
    assert narrow_for({"shown": {"$ne": False}, "$or": [{"n": 1}]}, Probe(conn.db, "things"), True) is None
