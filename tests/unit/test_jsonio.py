"""Documents out of the store as the API lists them: the fields asked for, keys decoded, values JSON-ready."""

from __future__ import annotations

from datetime import datetime, timezone

from bson import ObjectId

from api.jsonio import listed
from app.plain import plain

OID = ObjectId("0123456789abcdef01234567")
WHEN = datetime(2026, 1, 2, 3, 4, 5, 600000)


def test_a_row_has_the_fields_asked_for_with_id_from_the_object_id_when_it_has_none():
    doc = {"_id": OID, "name": "vnic-1", "_key": "e|vnic|v1", "type": "vnic", "seen": WHEN, "blob": b"x",
           "tags": ("a", 1), "nested": {"n[dot]1": [OID, {"at": WHEN}]}}
    assert listed(doc, ("id", "name", "seen", "blob", "tags", "nested", "missing")) == {
        "name": "vnic-1", "seen": "2026-01-02T03:04:05.600000+00:00", "blob": None, "tags": ["a", 1],
        "nested": {"n.1": ["0123456789abcdef01234567", {"at": "2026-01-02T03:04:05.600000+00:00"}]},
        "id": "0123456789abcdef01234567"}
    assert listed({"_id": OID, "id": "own"}, ("id",)) == {"id": "own"}


def test_encoded_field_names_are_listed_by_their_real_names():
    doc = {"_id": OID, "id": "x", "mac[dot]address": "fa:16", "[dollar]ref": 1, "lit[lb]dot]": 2}
    assert listed(doc, ("id", "mac.address", "$ref", "lit[dot]")) == {
        "mac.address": "fa:16", "$ref": 1, "lit[dot]": 2, "id": "x"}


def test_plain_values_keep_their_types_and_other_values_become_json():
    aware = datetime(2026, 1, 1, tzinfo=timezone.utc)
    value = {"s": "t", "i": 2 ** 70, "f": 1.5, "b": True, "n": None, 3: [OID, aware, (b"x",)]}
    assert plain(value) == {"s": "t", "i": 2 ** 70, "f": 1.5, "b": True, "n": None,
                            "3": ["0123456789abcdef01234567", "2026-01-01T00:00:00+00:00", [None]]}
    assert type(plain({"b": True})["b"]) is bool


def test_a_listing_is_written_as_the_json_of_its_rows():
    from api.jsonio import Listing, dumps

    rows = [listed({"_id": OID, "name": "ü", "seen": WHEN}, ("id", "name", "seen"))]
    assert dumps(Listing({"objects": rows, "next_after": "abc"})) == dumps({"objects": rows, "next_after": "abc"}) == (
        '{"objects":[{"name":"ü","seen":"2026-01-02T03:04:05.600000+00:00","id":"0123456789abcdef01234567"}],'
        '"next_after":"abc"}')
