"""A find the embedded store answers by MongoDB's matching rules in Python, read from the rows SQL can narrow
it to instead of from the whole collection.

app.store.embedded_exact sends a filter to the Python matcher as soon as one clause of it is not in its SQL
grammar (a `$ne`, a `$regex` on a field without an index, an `$or`...), and the matcher then decoded every
document of the collection: the console's tree asks `{"_env_parent": P, "show_in_tree": {"$ne": false}}` once
per node, 3 s each at 65,000 objects, and an object page took over 10 s. When such a filter is a conjunction
and some of its clauses are in the grammar, those clauses are written in SQL (app.store.embedded_sql, from
their indexes) and only the rows they select are decoded and matched against the whole filter. Every document
the filter matches satisfies each of its clauses, so the answer is the same; only the reading is shorter.
"""

from __future__ import annotations

import threading
from functools import partial
from typing import Any, Iterable

from app.store.embedded_exact import Probe, answering, exact_filter

_state = threading.local()


def narrowed() -> tuple[dict, frozenset[str]] | None:
    """The (SQL sub-filter, its array-free fields) this thread's Python find may read its rows through."""
    return getattr(_state, "narrow", None)


class narrowing:
    """Within: this thread's Python-answered find reads only the rows `sub` selects."""

    def __init__(self, narrow: tuple[dict, frozenset[str]] | None):
        self.narrow = narrow

    def __enter__(self) -> None:
        self.saved = narrowed()
        _state.narrow = self.narrow

    def __exit__(self, *exc: Any) -> None:
        _state.narrow = self.saved


def conjuncts(query: Any) -> list[tuple[str, Any]]:
    """The (field, condition) pairs every match of `query` satisfies: its top-level fields and those of the
    documents of a top-level `$and`."""
    if not isinstance(query, dict):
        return []
    out: list[tuple[str, Any]] = []
    for key, value in query.items():
        if key == "$and" and isinstance(value, list):
            for clause in value:
                out += conjuncts(clause)
        elif not key.startswith("$"):       # $or, $nor, $where...: not a clause every match satisfies
            out.append((key, value))
    return out


def narrow_for(query: Any, probe: Probe, allow_regex: bool) -> tuple[dict, frozenset[str]] | None:
    """The part of `query` SQL answers exactly (one clause per field), with its fields; None when no part is."""
    sub: dict = {}
    fields: set[str] = set()
    for key, value in conjuncts(query):
        if key in sub:
            continue                # a field twice: the first clause narrows, the matcher checks both
        if exact_filter({key: value}, probe, fields, allow_regex):
            sub[key] = value
    return (sub, frozenset(fields)) if sub else None


def patch_narrowed_scan() -> None:
    """neosqlite's Python fallback for a find reads the narrowed rows when this thread has a narrowing."""
    from neosqlite.collection.cursor import Cursor
    from neosqlite.collection.jsonb_support import json_data_column
    from neosqlite.sql_utils import quote_table_name

    from app.store.embedded_sql import where

    original = Cursor._handle_python_fallback
    if getattr(original, "_calipso_patched", False):
        return

    def fallback(self: Any) -> Iterable[dict]:
        narrow = narrowed()
        if narrow is None or self._min or self._max or self._comment:
            return original(self)
        sub, fields = narrow
        with answering(False, fields):      # embedded_sql.where writes each clause for its index
            clause, params = where(sub)
        jsonb = self._collection.query_engine.jsonb.jsonb_supported
        cmd = (f"SELECT id, _id, {json_data_column(jsonb)} as data "
               f"FROM {quote_table_name(self._collection.name)} {clause}")
        apply = partial(self._query_helpers._apply_query, self._filter)

        def docs() -> Iterable[dict]:
            db_cursor = self._collection.db.execute(cmd, params)
            while True:
                rows = db_cursor.fetchmany(self._batch_size)
                if not rows:
                    break
                for doc in self._load_documents(rows):
                    if apply(doc):
                        yield doc

        return docs()

    fallback._calipso_patched = True  # type: ignore[attr-defined]
    Cursor._handle_python_fallback = fallback
