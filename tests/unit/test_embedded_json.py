"""The embedded store's document text: orjson where it gives the same JSON value as neosqlite's encoder."""

from __future__ import annotations

import json
import math
from collections import OrderedDict
from datetime import datetime, timezone

import pytest
from bson import ObjectId

from app.store.embedded_json import fast_encoder
from app.store.embedded_patches import _encoder

DOC = {"_id": ObjectId("0123456789abcdef01234567"), "name": "cmp-1 ünïcode", "n": 7, "x": 0.1, "big": 2 ** 62,
       "seen": datetime(2026, 11, 28, 1, 2, 3, 456000), "aware": datetime(2026, 1, 1, tzinfo=timezone.utc),
       "nested": {"list": [1, "two", {"three": [3.5e20, -1e-7]}], "empty": {}}, "flag": True,
       "blob": b"\x00\x01"}


def test_same_values_as_the_standard_encoder_written_compactly():
    standard = _encoder()
    fast = fast_encoder(standard)(DOC)
    assert json.loads(fast) == json.loads(standard.encode(DOC))
    assert ", " not in fast and len(fast) < len(standard.encode(DOC))


@pytest.mark.parametrize("odd", [math.nan, math.inf, -math.inf])
def test_a_nan_or_infinity_is_refused_as_the_standard_encoder_refuses_it(odd):
    with pytest.raises(ValueError):
        fast_encoder(_encoder())({"x": {"deep": [odd]}})


def test_a_document_with_nulls_but_no_nan_keeps_the_orjson_text():
    doc = {"a": None, "b": [None, {"c": None, "d": 1.5}], "e": (None,)}
    text = fast_encoder(_encoder())(doc)
    assert json.loads(text) == {"a": None, "b": [None, {"c": None, "d": 1.5}], "e": [None]}
    assert ", " not in text


@pytest.mark.parametrize("odd", [math.nan, math.inf])
def test_a_nan_beside_nulls_is_still_refused(odd):
    with pytest.raises(ValueError):
        fast_encoder(_encoder())({"a": None, "b": [{"c": (1, odd)}], "d": OrderedDict(e=None)})
    with pytest.raises(ValueError):
        fast_encoder(_encoder())({"a": None, "b": OrderedDict(c=[odd])})


def test_what_orjson_cannot_write_goes_the_standard_way():
    standard = _encoder()
    doc = {"huge": 2 ** 70, "none": None}
    assert fast_encoder(standard)(doc) == standard.encode(doc)


def _same(a, b) -> bool:
    """Equal, and of the same types all the way down (1 and 1.0 differ, so do a list and a tuple)."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    if isinstance(a, float) and math.isnan(a):
        return math.isnan(b)
    return a == b


@pytest.mark.parametrize("text", [
    json.dumps(json.loads(_encoder().encode(DOC))),
    '{"id":{"__neosqlite_objectid__":true,"id":"0123456789abcdef01234567"},"when":{"$date":"2026-01-01T00:00:00Z"},'
    '"ms":{"$date":1700000000000},"bad":{"$date":"not a date"},"b":{"__neosqlite_binary__":true,"data":"AAE=",'
    '"subtype":0},"deep":[{"x":{"$date":"2026-01-01T00:00:00"}},[{"y":1}]],"one":1,"float":1.0}',
    '{"huge":123456789012345678901234567890,"low":-9223372036854775809,"top":18446744073709551615}',
    '{"nan":NaN,"inf":Infinity,"lone":"\\ud800","e":1e400}',
    '{"dup":1,"dup":2}', '[1,{"$date":0}]', '"text"', '12', 'null',
])
def test_documents_read_back_by_orjson_as_neosqlite_reads_them(text):
    from neosqlite.collection.json_helpers import neosqlite_json_loads

    from app.store.embedded_json import fast_loads
    from app.store.embedded_projection import stored_values

    assert _same(fast_loads(stored_values())(text), neosqlite_json_loads(text))
