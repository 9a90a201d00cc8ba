"""Aggregations on the embedded store, run as MongoDB runs them.

neosqlite 1.17.2's aggregation engines (SQL tiers, temporary tables, Python) grouped a path through an array
as null and a document `_id` as nothing at all. The store now reads the documents of the first `$match`
(through the find path, so in SQL when app.store.embedded_exact allows it, else with the Python matcher),
and runs the rest of the pipeline with mongomock's stages, the implementation the unit tests already trust
(`$sort` with app.store.embedded_match's order, which sorts arrays as MongoDB does).

`count_documents` of a filter SQL answers exactly is a COUNT(*) in SQL. One more shape stays in SQL, counting
by a field: `[{"$match": <exact>}, {"$group": {"_id": "$field", "n":
{"$sum": 1}}}]` where the field is indexed and holds only strings (or is missing): neosqlite answers it with
a GROUP BY, which is MongoDB's answer for such values, without loading a million documents.
"""

from __future__ import annotations

from typing import Any

from app.store.embedded_exact import PLAIN_FIELD, Probe, answering, exact_filter
from app.store.embedded_probes import memory_of

def counted_in_sql(pipeline: list, probe: Probe) -> frozenset[str] | None:
    """The array-free fields of a count by a string field neosqlite can GROUP BY in SQL, else None."""
    if len(pipeline) != 2 or list(pipeline[0]) != ["$match"] or list(pipeline[1]) != ["$group"]:
        return None
    group = pipeline[1]["$group"]
    key = group.get("_id")
    accumulators = {k: v for k, v in group.items() if k != "_id"}
    if not isinstance(key, str) or not key.startswith("$") or not PLAIN_FIELD.match(key[1:]) or key[1:] == "id":
        return None
    if len(accumulators) != 1 or list(accumulators.values()) != [{"$sum": 1}]:
        return None
    fields: set[str] = set()
    if not exact_filter(pipeline[0]["$match"], probe, fields, allow_regex=False):
        return None
    if not probe.typed(key[1:]) or probe.holds(key[1:]):
        return None
    return frozenset(fields)


def _count(db: Any, name: str, match: dict) -> int:
    """count_documents of an exact filter: COUNT(*) over the filter's SQL (app.store.embedded_sql)."""
    from neosqlite.sql_utils import quote_table_name

    from app.store.embedded_sql import where

    clause, params = where(match)
    return db.db.execute(f"SELECT COUNT(*) FROM {quote_table_name(name)} {clause}", params).fetchone()[0]


def aggregate(handler: Any, command: dict, msg: dict, run: Any) -> tuple[int, dict]:
    """The aggregate command (pipeline already checked by app.store.embedded_guard)."""
    from mongomock.aggregate import process_pipeline

    from app.store.embedded_match import sort_documents, to_bson

    name, pipeline = command["aggregate"], list(command.get("pipeline") or [])
    db_name = command.get("$db", "test")
    db = handler.get_database(db_name)
    exists = name in db.list_collection_names()
    if exists:
        fields = counted_in_sql(pipeline, Probe(db.db, name, memory_of(db, db.db)))
        if fields is not None:
            with answering(False, fields):
                return run(msg)
    match: dict = {}
    if pipeline and list(pipeline[0]) == ["$match"]:
        match, pipeline = pipeline[0]["$match"], pipeline[1:]
    docs: list = []
    results: list | None = None
    if exists:
        probe, fields = Probe(db.db, name, memory_of(db, db.db)), set()
        exact = exact_filter(match, probe, fields, allow_regex=False)
        with answering(not exact, frozenset(fields)):
            if exact and pipeline == [{"$group": {"_id": 1, "n": {"$sum": 1}}}]:     # count_documents
                n = _count(db, name, handler._convert_objectids(match))
                results = [{"_id": 1, "n": n}] if n else []
            else:
                docs = [to_bson(d) for d in db[name].find(handler._convert_objectids(match))]
    if results is None:
        results = docs
        for stage in pipeline:      # `$sort` by MongoDB's order (mongomock orders an array by its first element)
            if list(stage) == ["$sort"] and isinstance(stage["$sort"], dict):
                results = sort_documents(results, [(k, -1 if v == -1 else 1) for k, v in stage["$sort"].items()])
            else:
                results = list(process_pipeline(results, None, [stage], None))
    first, cursor_id = handler._split_first_batch(results, handler._first_batch_size(command), f"{db_name}.{name}",
                                                  db_name, owner=msg.get("_conn_id"))
    return msg.get("request_id", 0), {"ok": 1, "cursor": {"id": cursor_id, "ns": f"{db_name}.{name}",
                                                          "firstBatch": first}}
