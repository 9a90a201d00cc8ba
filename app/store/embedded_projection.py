"""Startup patches for the embedded store's projected finds: same answers, a fraction of the work.

neosqlite 1.17.2 answers a find with a projection by loading every matching document whole (SQLite hands
over the JSON text, Python decodes all of it), deep-copying it, and then picking the fields. A scan's
index reads ask for a few small fields of documents that can be large: at 1,000 hosts every vEdge and
OTEP carries a thousand tunnel ports, and reading the index of an environment decoded 200 MB of JSON
(11 s of the store's CPU, in every rescan).

- `patch_find_projection`: plain projections without the deep copy, dotted paths as MongoDB nests them.
- `patch_find_projection_sql`: a find whose filter neosqlite turns into SQL anyway, with a projection that
  names top-level fields only, asks SQLite for just those fields (`data -> '$."field"'`), builds the
  document from them, and decodes it the way neosqlite decodes a whole one (same object hook: dates,
  ids, binaries), with orjson (app.store.embedded_json `fast_loads`). A field that is missing stays missing, a stored null stays null. Anything else
  (dotted or `$` fields, exclusions, sorts SQLite cannot do, `$where`, text search, date queries, JSONB
  tables) keeps neosqlite's path.

Checked by tests/integration/store/test_embedded_patches.py against a store run without the patches.
"""

from __future__ import annotations

import json
from typing import Any, Callable, Iterable


def patch_find_projection() -> None:
    """A find with a plain projection (fields to 1, or to 0) projects the documents it has just loaded without
    deep-copying each one first: 40 % of the store's CPU when a rescan reads an environment's documents with
    a projection. The fields are MongoDB's, dotted paths included (app.store.embedded_dotted), where neosqlite
    1.17.2 gave flat "a.b" keys; projections with expressions or `$` references keep neosqlite's path (the
    server refuses them before, app.store.embedded_guard).
    """
    from neosqlite.collection.cursor import Cursor
    from neosqlite.collection.expr_evaluator import _is_expression

    from app.store.embedded_dotted import project

    original = Cursor._apply_projection
    if getattr(original, "_calipso_patched", False):
        return

    def apply_projection(self: Any, docs: Any) -> Any:
        if getattr(self, "_calipso_sql_projected", False):
            return docs     # built by `patch_find_projection_sql` from just the projected top-level fields
        projection = self._projection
        if not projection or any(_is_expression(v) or (isinstance(v, str) and v.startswith("$"))
                                 for v in projection.values()):
            return original(self, docs)
        return [project(projection, d) for d in docs]

    apply_projection._calipso_patched = True  # type: ignore[attr-defined]
    Cursor._apply_projection = apply_projection


def projected_fields(projection: dict) -> list[str] | None:
    """The top-level fields a plain inclusion projection keeps (with `_id` unless it is set to 0), or None
    when the projection is anything else."""
    if not projection:
        return None
    fields = []
    for key, value in projection.items():
        if type(value) not in (int, bool) or not isinstance(key, str) or not key:
            return None
        if key == "_id":
            continue
        if value != 1 or "." in key or key.startswith("$") or '"' in key or "\\" in key:
            return None
        fields.append(key)
    if not fields:
        return None
    if projection.get("_id", 1) == 1:
        fields.append("_id")
    return fields


def _plain_query(cursor: Any) -> bool:
    """Whether neosqlite would run this cursor's filter as SQL, sort included, with no Python step after."""
    return not (cursor._min or cursor._max or cursor._where_predicate or cursor._comment
                or "$expr" in cursor._filter or "$jsonSchema" in cursor._filter
                or cursor._contains_datetime_operations(cursor._filter)
                or cursor._query_helpers._is_text_search_query(cursor._filter)
                or cursor._collection.query_engine.jsonb.jsonb_supported
                or (cursor._sort and not cursor._query_helpers._build_sort_clause(cursor._sort, cursor._collation)))


def stored_values() -> Callable[[dict], Any]:
    """neosqlite 1.17.2's `object_hook` (neosqlite.collection.json_helpers.neosqlite_json_loads), which is local
    to that function: a stored binary, ObjectId or date as its value, any other document as it is."""
    from datetime import datetime, timezone

    from neosqlite.binary import Binary
    from neosqlite.objectid import ObjectId

    def stored_value(dct: dict) -> Any:
        if "__neosqlite_binary__" in dct:
            try:
                return Binary.decode_from_storage(dct)
            except (ValueError, KeyError, TypeError):
                return dct
        if "__neosqlite_objectid__" in dct:
            try:
                return ObjectId(dct["id"])
            except (ValueError, ImportError, KeyError):
                pass
        if "$date" in dct and isinstance(dct["$date"], (str, int, float)):
            try:
                if isinstance(dct["$date"], str):
                    return datetime.fromisoformat(dct["$date"].replace("Z", "+00:00"))
                return datetime.fromtimestamp(dct["$date"] / 1000.0, tz=timezone.utc)
            except (ValueError, OSError):
                pass
        return dct

    return stored_value


def patch_find_projection_sql() -> None:
    from neosqlite.collection.cursor import Cursor
    from neosqlite.sql_utils import quote_table_name

    from app.store.embedded_json import fast_loads

    neosqlite_json_loads = fast_loads(stored_values())   # decoded as neosqlite decodes, by orjson

    original = Cursor._get_filtered_documents
    if getattr(original, "_calipso_patched", False):
        return

    def filtered(self: Any) -> Iterable[dict]:
        self._calipso_sql_projected = False
        fields = projected_fields(self._projection)
        if fields is None or not _plain_query(self):
            return original(self)
        helpers = self._query_helpers
        where = helpers._build_simple_where_clause(self._filter)
        if where is None:
            return original(self)
        where_clause, params, tables = where
        if tables:
            self._tables_to_cleanup.extend(tables)
        sort_clause = helpers._build_sort_clause(self._sort, self._collation)
        pagination = helpers._build_pagination_clause(self._limit, self._skip)
        self._sql_handled_sort = bool(sort_clause)
        self._sql_handled_pagination = bool(pagination)
        columns = ", ".join("data -> ?" for _ in fields)     # the paths go as parameters, never as SQL
        cmd = (f"SELECT id, _id, {columns} FROM {quote_table_name(self._collection.name)} "
               f"{where_clause}{sort_clause}{pagination}")
        args = [f'$."{f}"' for f in fields] + list(params)
        names = [json.dumps(f) + ":" for f in fields]
        has_id = fields[-1] == "_id"
        collection = self._collection

        def docs() -> Iterable[dict]:
            db_cursor = collection.db.execute(cmd, args)
            try:
                while True:
                    rows = db_cursor.fetchmany(self._batch_size)
                    if not rows:
                        break
                    for row in rows:
                        text = ",".join(n + v for n, v in zip(names, row[2:]) if v is not None)
                        doc = neosqlite_json_loads("{" + text + "}")
                        if has_id and "_id" not in doc:   # stored in its column only, as neosqlite's _load finds it
                            doc["_id"] = collection._resolve_stored_id(row[1], row[0])
                        yield doc
            finally:
                db_cursor.close()

        out = docs()
        self._active_generator = out
        self._calipso_sql_projected = True   # each document is already what the projection shows of it
        return out

    filtered._calipso_patched = True  # type: ignore[attr-defined]
    Cursor._get_filtered_documents = filtered
