"""A scan's index entry reads as the stored document's fields did, whatever it holds."""

from bson import ObjectId

from app.stored_index import Indexed


def test_an_entry_reads_as_the_fields_it_was_made_of():
    oid = ObjectId()
    for fields in ({"_id": oid, "_hash": "ab12"}, {"_id": oid, "_hash": "ab12", "stale_since": 5, "clique": True},
                   {"_id": oid}, {"status": "error"}):
        entry = Indexed(dict(fields))
        assert dict(entry) == fields and len(entry) == len(fields)
        for key in ("_id", "_hash", "stale_since", "clique", "status", "type"):
            assert entry.get(key) == fields.get(key) and (key in entry) == (key in fields)
            assert entry.get(key, "none") == fields.get(key, "none")


def test_described_fields_are_added_and_read_back():
    entry = Indexed({"_id": ObjectId(), "_hash": "ab12"})
    entry.update({"type": "vnic", "id": "cmp-1-tap0", "last_seen": 7, "_hash": "cd34"})
    assert entry["type"] == "vnic" and entry["_hash"] == "cd34" and "last_seen" in entry
    assert [k for k in entry] == ["_id", "_hash", "type", "id", "last_seen"]
