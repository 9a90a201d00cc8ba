"""The scan's write path on the embedded store: batches streamed from a generator land whole and in
order, a bad document stops the write before anything is written, content hashes ignore key order
and store round trips, and values orjson refuses still hash."""

from __future__ import annotations

from datetime import datetime, timezone

import pytest
from bson import ObjectId

from app.diffing import canonical, content_hash, field_changes
from app.inventory import Inventory, object_id
from app.links import Links
from app.paths import place, root
from app.store.bulk import BATCH, upsert_by_id

SEEN = datetime(2026, 11, 27, 12, 0, 0, 123456, tzinfo=timezone.utc)


def _objects(n: int, env: str = "e") -> list[dict]:
    parent = root(env)
    return [place({"id": f"port-{i}", "name": f"p{i}", "type": "port", "mac.address": f"fa:16:3e:00:{i:04x}",
                   "fixed_ips": [{"ip_address": f"10.0.{i // 250}.{i % 250}", "subnet.id": "s"}]}, parent, env)
            for i in range(n)]


def test_more_than_a_batch_from_a_generator_is_written_whole(store):
    docs = _objects(BATCH * 2 + 7)
    pairs = (Inventory.stored_body(d, SEEN) for d in docs)
    assert upsert_by_id(store["inventory"], pairs, SEEN) == len(docs)
    assert store["inventory"].count_documents({"environment": "e"}) == len(docs)
    got = Inventory(store).get("e", "port-2006", "port")
    assert got["mac.address"] == "fa:16:3e:00:07d6" and got["fixed_ips"][0]["subnet.id"] == "s"
    assert got["_hash"] == content_hash(docs[2006])          # read back, it hashes as it was found


def test_documents_said_new_that_another_writer_stored_meanwhile_are_updated_not_lost(store):
    docs = _objects(BATCH + 5)
    coll = store["inventory"]
    upsert_by_id(coll, [Inventory.stored_body(d, SEEN) for d in docs[3:6]], SEEN)   # "meanwhile"
    coll.update_one({"_id": object_id("e", "port", "port-4")}, {"$set": {"stale_since": SEEN, "status": "ok"}})
    later = datetime(2026, 11, 28, tzinfo=timezone.utc)
    docs[4]["name"] = "renamed"
    assert upsert_by_id(coll, (Inventory.stored_body(d, later) for d in docs), later, new=True) == len(docs)
    assert coll.count_documents({"environment": "e"}) == len(docs)
    got = coll.find_one({"_id": object_id("e", "port", "port-4")})
    assert got["name"] == "renamed" and "stale_since" not in got and got["status"] == "ok"
    assert got["first_seen"].replace(tzinfo=None) == SEEN.replace(tzinfo=None, microsecond=123000)   # kept


def test_a_bad_document_anywhere_stops_the_write_before_the_first_one(store):
    docs = _objects(BATCH + 10)
    docs[-1].pop("id_path")
    hashes: dict = {}
    with pytest.raises(ValueError, match="lacks id_path"):
        Inventory(store).write(docs, [], SEEN, hashes)
    assert store["inventory"].count_documents({}) == 0 and not hashes


def test_links_written_report_the_hashes_they_stored(store):
    link = {"environment": "e", "link_type": "instance-vnic", "source_id": "i1", "target_id": "v1",
            "source": ObjectId(), "target": ObjectId(), "link_name": "i1-v1", "host": "h"}
    hashes: dict = {}
    assert Links(store).write([link], [], SEEN, hashes) == 1
    (oid, h), = hashes.items()
    assert store["links"].find_one({"_id": oid})["_hash"] == h == content_hash(link)


def test_hashes_ignore_key_order_times_and_the_stores_own_keys():
    a = {"id": "x", "type": "port", "z": {"b": 1, "a": [1, {"d": 2, "c": 3}]}, "last_seen": SEEN, "_key": "k"}
    b = {"z": {"a": [1, {"c": 3, "d": 2}], "b": 1}, "type": "port", "id": "x"}
    assert content_hash(a) == content_hash(b)
    assert content_hash(a) != content_hash({**b, "z": {"a": [{"c": 3, "d": 2}, 1], "b": 1}})   # list order counts


def test_values_orjson_refuses_still_hash_and_compare():
    big = {"id": "x", "counter": 2 ** 70, "nested": {3: "int key", "2": "str key"}, "when": SEEN, "oid": ObjectId("0" * 24), "tags": {"b", "a"}}
    assert content_hash(big) == content_hash(dict(reversed(list(big.items()))))
    assert content_hash(big) != content_hash({**big, "counter": 2 ** 70 + 1})
    # a datetime read back from the store has lost its zone and its microseconds below the millisecond
    stored = SEEN.replace(tzinfo=None, microsecond=123000)
    assert canonical({"t": SEEN}) == canonical({"t": stored})
    assert field_changes({"t": stored, "n": 1}, {"t": SEEN, "n": 2}) == {"n": (1, 2)}


def test_the_object_id_of_a_written_document_is_its_natural_key(store):
    doc = _objects(1)[0]
    Inventory(store).write([doc], [], SEEN)
    assert store["inventory"].find_one({"_id": object_id("e", "port", "port-0")})["name"] == "p0"
