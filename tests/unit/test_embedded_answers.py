"""The embedded store's own MongoDB semantics, as pure functions: BSON order, sort keys, dotted projections,
regex literals (app.store.embedded_match, embedded_dotted, embedded_regex)."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from app.store.embedded_dotted import project
from app.store.embedded_match import compare, sort_documents
from app.store.embedded_regex import literal


def test_bson_order_of_types():
    ordered = [None, -1, 2.5, "a", {"a": 1}, [1], b"x", ObjectId(b"a" * 12), False, True, datetime(2026, 1, 1)]
    for low, high in zip(ordered, ordered[1:]):
        assert compare(low, high) == -1 and compare(high, low) == 1
    assert compare(True, 1) == 1 and compare(1, 1.0) == 0


def test_documents_compare_by_field_type_then_name_then_value():
    assert compare({"k": {"y": 3}}, {"y": {}}) == -1       # same type: 'k' < 'y'
    assert compare({"a": 5}, {"a": "x"}) == -1              # number before string, whatever the names
    assert compare({"a": 1}, {"a": 1, "b": 0}) == -1


def test_arrays_sort_by_smallest_element_ascending_and_largest_descending():
    docs = [{"_id": 1, "v": 1}, {"_id": 2, "v": [0, 5]}, {"_id": 3}, {"_id": 4, "v": []}]
    assert [d["_id"] for d in sort_documents(docs, [("v", 1)])] == [4, 3, 2, 1]
    assert [d["_id"] for d in sort_documents(docs, [("v", -1)])] == [2, 1, 3, 4]


def test_dotted_inclusion_nests_and_follows_arrays_of_documents():
    doc = {"_id": 1, "sub": {"a": 1, "b": 2}, "l": [{"a": 1, "b": 2}, 7, {"b": 3}], "s": "x"}
    assert project({"sub.a": 1, "l.a": 1}, doc) == {"_id": 1, "sub": {"a": 1}, "l": [{"a": 1}, {}]}
    assert project({"s.a": 1, "_id": 0}, doc) == {}


def test_dotted_exclusion_keeps_the_rest_and_non_documents():
    doc = {"_id": 1, "sub": {"a": 1, "b": 2}, "n": None, "l": [{"a": 1}, 3]}
    assert project({"sub.a": 0, "n.x": 0, "l.a": 0}, doc) == {"_id": 1, "sub": {"b": 2}, "n": None, "l": [{}, 3]}


def test_regex_literals_are_what_re_escape_makes():
    import re

    for text in ("tap-ABC", "a b", "x_%.*", "Ωmega", ""):
        assert literal(re.escape(text)) == text
    assert literal("^tap") is None and literal(r"\d") is None and literal("a.b") is None
