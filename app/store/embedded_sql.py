"""The SQL the embedded store runs for the filters app.store.embedded_exact lets SQL answer.

Those filters are a small grammar (a conjunction of `_id` and top-level field equalities or `$in`s, and a
find's `$regex`), so the WHERE clause is written here rather than by neosqlite 1.17.2, whose SQL took
ObjectIds for their hex text, and added an OR that kept SQLite from using the field's index:

- `_id`: the `_id` column (ObjectIds stored as their hex text);
- strings: `json_extract(data, path) IN (...)`, then `json_type = 'text'` where the field holds documents
  (whose JSON text could equal the string); on a field that is not indexed or
  holds arrays, or an array element among them (`json_each`);
- ObjectIds: the same over the text SQLite gives for the stored ObjectId, of type 'object';
- `$regex`: app.store.embedded_regex;
- a string range: `json_extract(data, path) >= ?` and so on, on a field of strings only (embedded_exact).

Each `json_extract(data, path)` is the expression of the field's index, so the index serves it (the store
contract suite checks the plan).
"""

from __future__ import annotations

from typing import Any

from app.store.embedded_exact import RANGE, SCALAR, TEXT, array_free_fields, string_range
from app.store.embedded_regex import regex_clause


def _oid_hex(value: Any) -> str | None:
    binary = getattr(value, "binary", None)
    return binary.hex() if isinstance(binary, bytes) and len(binary) == 12 else None


def stored_oid(hex_id: str) -> str:
    """The text `json_extract` gives for an ObjectId as neosqlite stores it."""
    return '{"__neosqlite_objectid__":true,"id":"' + hex_id + '"}'


def where(query: dict) -> tuple[str, list[Any]]:
    """WHERE clause and parameters for a filter embedded_exact found exact (module doc)."""
    clauses: list[str] = []
    params: list[Any] = []
    fields = array_free_fields() or frozenset()
    for key, value in query.items():
        values = value["$in"] if isinstance(value, dict) and "$in" in value else None
        if key == "_id":
            ids = values if values is not None else [value]
            clauses.append(f"_id IN ({', '.join('?' for _ in ids)})")
            params.extend(_oid_hex(v) or (v if type(v) is int else str(v)) for v in ids)
            continue
        path = f"'$.{key}'"
        if isinstance(value, dict) and "$regex" in value:
            clause, args = regex_clause(path, value["$regex"], value.get("$options", ""), TEXT + key not in fields)
            clauses.append(clause)
            params.extend(args)
            continue
        if string_range(value):
            clauses.extend(f"json_extract(data, {path}) {RANGE[op]} ?" for op in value)
            params.extend(value.values())
            continue
        items = values if values is not None else [value]
        hexes = [_oid_hex(v) for v in items]
        if all(hexes):
            items, kind = [stored_oid(h) for h in hexes], "object"
        else:
            kind = "text"
        marks = ", ".join("?" for _ in items)
        clause = f"json_extract(data, {path}) IN ({marks})"
        if kind == "object" or SCALAR + key not in fields:
            # a document's JSON text could equal a string; `+`: a check, not an index to use. Without it the
            # index alone answers, and a deep page skips rows without reading them
            clause = f"({clause} AND +json_type(data, {path}) = '{kind}')"
        params.extend(items)
        if key not in fields:   # it may hold arrays: an element matches too (one level, as in MongoDB)
            clause = (f"({clause} OR (json_type(data, {path}) = 'array' AND EXISTS (SELECT 1 FROM "
                      f"json_each(data, {path}) AS e WHERE e.type = '{kind}' AND e.value IN ({marks}))))")
            params.extend(items)
        clauses.append(clause)
    return ("WHERE " + " AND ".join(clauses)) if clauses else "", params


def patch_where() -> None:
    """neosqlite's two SQL builders (finds and counts; updates, deletes and findAndModify) answer with `where`
    while app.store.embedded_exact has found the command exact."""
    from neosqlite.collection.query_helper._sql_query_builder import SqlQueryBuilderMixin
    from neosqlite.collection.sql_translator_unified import SQLTranslator

    original_simple = SqlQueryBuilderMixin._build_simple_where_clause
    if getattr(original_simple, "_calipso_patched", False):
        return
    original_translate = SQLTranslator.translate_match

    def build_simple_where_clause(self: Any, query: dict) -> Any:
        if array_free_fields() is not None and isinstance(query, dict):
            clause, params = where(query)
            return clause, params, []
        return original_simple(self, query)

    def translate_match(self: Any, match_spec: Any, context: str = "direct") -> tuple:
        if array_free_fields() is not None and isinstance(match_spec, dict):
            return where(match_spec)
        return original_translate(self, match_spec, context)

    build_simple_where_clause._calipso_patched = True  # type: ignore[attr-defined]
    SqlQueryBuilderMixin._build_simple_where_clause = build_simple_where_clause
    SQLTranslator.translate_match = translate_match
