"""The embedded store's Python matcher and sort: MongoDB's semantics where neosqlite 1.17.2 had its own.

neosqlite answers what its SQL cannot with `_apply_query`, a matcher of its own that gets several shapes
wrong (`$not` refused, booleans taken for numbers, an ObjectId in an array never found, `{f: {..}}` read as
operators). The store's Python path now matches with mongomock's `filter_applies` (the matcher the unit tests
already trust), on the document converted back to BSON types (ObjectIds, naive UTC datetimes, bytes), and
sorts by MongoDB's order of types (null < numbers < strings < objects < arrays < binary < ObjectId < booleans
< dates; an array by its smallest element ascending, its largest descending). Which queries take this path is
decided per command by app.store.embedded_exact.
"""

from __future__ import annotations

import functools
from datetime import datetime, timezone
from typing import Any

_BRACKETS = {type(None): 1, int: 2, float: 2, str: 3, dict: 4, list: 5, bytes: 6}


def to_bson(value: Any) -> Any:
    """A stored value as pymongo would have decoded it (naive UTC datetimes, bson ObjectIds, bytes)."""
    from bson import ObjectId as BsonObjectId
    from neosqlite.objectid import ObjectId

    kind = type(value)
    if kind is dict:
        return {k: to_bson(v) for k, v in value.items()}
    if kind is list:
        return [to_bson(v) for v in value]
    if isinstance(value, ObjectId):
        return BsonObjectId(value.binary)
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000)   # BSON keeps milliseconds
    if isinstance(value, bytes) and kind is not bytes:
        return bytes(value)
    return value


def matches(query: dict, document: dict) -> bool:
    from mongomock.filtering import filter_applies

    return filter_applies(to_bson(query), to_bson(document))


def _bracket(value: Any) -> int:
    from bson import ObjectId

    if isinstance(value, bool):
        return 8
    if isinstance(value, datetime):
        return 9
    if isinstance(value, ObjectId):
        return 7
    if isinstance(value, (int, float)):
        return 2
    return _BRACKETS.get(type(value), 10)


def compare(a: Any, b: Any) -> int:
    """MongoDB's comparison of two BSON values (sort order)."""
    ka, kb = _bracket(a), _bracket(b)
    if ka != kb:
        return -1 if ka < kb else 1
    if ka == 1:
        return 0
    if ka == 4:
        for (ak, av), (bk, bv) in zip(a.items(), b.items()):    # per field: type of value, name, value
            ta, tb = _bracket(av), _bracket(bv)
            c = (ta > tb) - (ta < tb) or (ak > bk) - (ak < bk) or compare(av, bv)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if ka == 5:
        for av, bv in zip(a, b):
            c = compare(av, bv)
            if c:
                return c
        return (len(a) > len(b)) - (len(a) < len(b))
    if ka == 6:
        a, b = (len(a), a), (len(b), b)
    return (a > b) - (a < b)


_MISSING = object()


def sort_value(document: dict, path: str, descending: bool) -> Any:
    """The value a document sorts by: the field (through arrays of documents), an array by its smallest
    element (largest when descending), a missing field as null, an empty array before null."""
    values = _values(document, path.split("."))
    if not values:
        return None
    flat: list = []
    for v in values:
        if type(v) is list:
            flat.extend(v) if v else flat.append(_EMPTY)
        else:
            flat.append(v)
    key = functools.cmp_to_key(_cmp_with_empty)
    return (max if descending else min)(flat, key=key)


class _Empty:
    """An empty array, which sorts before null."""


_EMPTY = _Empty()


def _cmp_with_empty(a: Any, b: Any) -> int:
    if a is _EMPTY or b is _EMPTY:
        return (b is _EMPTY) - (a is _EMPTY) if not (a is _EMPTY and b is _EMPTY) else 0
    return compare(a, b)


def _values(doc: Any, parts: list[str]) -> list:
    if not parts:
        return [doc]
    head, rest = parts[0], parts[1:]
    if isinstance(doc, dict):
        if head not in doc:
            return []
        return _values(doc[head], rest)
    if isinstance(doc, list):
        if head.isdigit() and int(head) < len(doc):
            return _values(doc[int(head)], rest)
        out: list = []
        for item in doc:
            if isinstance(item, dict):
                out.extend(_values(item, parts))
        return out
    return []


def sort_documents(documents: list[dict], sort: list[tuple[str, int]]) -> list[dict]:
    """Documents in MongoDB's order for `sort` (stable: ties keep their stored order)."""
    converted = [to_bson(d) for d in documents]

    def cmp(i: int, j: int) -> int:
        for path, direction in sort:
            desc = direction == -1
            c = _cmp_with_empty(sort_value(converted[i], path, desc), sort_value(converted[j], path, desc))
            if c:
                return -c if desc else c
        return 0

    order = sorted(range(len(documents)), key=functools.cmp_to_key(cmp))
    return [documents[i] for i in order]


def patch_matcher() -> None:
    """neosqlite's Python matcher and Python sort replaced by MongoDB's semantics (module doc)."""
    from neosqlite.collection.cursor import Cursor
    from neosqlite.collection.query_helper.query_builder import QueryBuilderMixin

    if getattr(QueryBuilderMixin._apply_query, "_calipso_patched", False):
        return

    def apply_query(self: Any, query: dict, document: dict) -> bool:
        return document is not None and matches(query, document)

    def apply_sorting(self: Any, docs: Any) -> list:
        if not self._sort:
            return list(docs)
        return sort_documents(list(docs), [(k, -1 if v == -1 else 1) for k, v in self._sort.items()])

    apply_query._calipso_patched = True  # type: ignore[attr-defined]
    QueryBuilderMixin._apply_query = apply_query
    Cursor._apply_sorting = apply_sorting


def patch_integer_ids() -> None:
    """A document found by the Python path is updated or deleted through its row, looked up by its `_id`;
    neosqlite 1.17.2 took an integer `_id` for the row number itself, and changed another document."""
    from neosqlite.collection.query_engine.crud_operations import CRUDOperationsMixin
    from neosqlite.sql_utils import quote_table_name

    original = CRUDOperationsMixin._get_integer_id_for_oid
    if getattr(original, "_calipso_patched", False):
        return

    def integer_id_for(self: Any, oid: Any) -> int:
        if type(oid) is not int:
            return original(self, oid)
        row = self.collection.db.execute(
            f"SELECT id FROM {quote_table_name(self.collection.name)} WHERE _id = ? OR _id = ? LIMIT 1",
            (str(oid), oid)).fetchone()
        if row is None:
            raise ValueError(f"no document with _id {oid}")
        return row[0]

    integer_id_for._calipso_patched = True  # type: ignore[attr-defined]
    CRUDOperationsMixin._get_integer_id_for_oid = integer_id_for
