"""The store contract: every query shape Calipso's code uses, over the wire against the embedded store.

Each gap nx-27017 0.8.1 had (design §2) is closed by the startup patches (app.store.embedded_guard and its
modules) and tested here as MongoDB answers it, or refused with MongoDB's error, tested as refused.
"""

from __future__ import annotations

import re
import threading
from datetime import datetime, timedelta, timezone

import pytest
from bson import ObjectId
from pymongo import ReturnDocument, UpdateOne
from pymongo.errors import DuplicateKeyError

from app.store.init import init_db


@pytest.fixture
def store(backend_store):
    """Each test runs on the embedded store, and on CALIPSO_TEST_MONGO_URI's mongod when set (conftest)."""
    return backend_store


@pytest.fixture
def coll(store):
    c = store["contract"]
    c.create_index("key", unique=True, name="key")
    c.create_index("grp", name="grp")
    c.insert_many([{"key": f"k{i}", "grp": f"g{i % 3}", "n": i, "tags": [f"t{i % 2}"], "sub": {"a": i}}
                   for i in range(30)])
    return c


def test_bulk_upsert_inserts_then_updates_with_set_and_set_on_insert(store):
    c = store["bulk"]
    c.create_index("key", unique=True, name="key")
    t1, t2 = datetime(2026, 1, 1, tzinfo=timezone.utc), datetime(2026, 1, 2, tzinfo=timezone.utc)
    ops = [UpdateOne({"key": f"k{i}"}, {"$set": {"key": f"k{i}", "v": 1, "seen": t1}, "$setOnInsert": {"first": t1}},
                     upsert=True) for i in range(50)]
    res = c.bulk_write(ops, ordered=False)
    assert res.upserted_count == 50
    ops = [UpdateOne({"key": f"k{i}"}, {"$set": {"key": f"k{i}", "v": 2, "seen": t2}, "$setOnInsert": {"first": t2},
                                        "$unset": {"gone": ""}}, upsert=True) for i in range(50)]
    res = c.bulk_write(ops, ordered=False)
    assert res.upserted_count == 0 and res.matched_count == 50
    doc = c.find_one({"key": "k7"})
    assert doc["v"] == 2 and doc["first"] == t1 and doc["seen"] == t2
    assert c.estimated_document_count() == 50


def test_unique_index_refuses_duplicates(coll):
    with pytest.raises(DuplicateKeyError):
        coll.insert_one({"key": "k1"})


def test_in_query_on_indexed_field(coll):
    got = sorted(d["n"] for d in coll.find({"key": {"$in": ["k1", "k5", "k29", "nope"]}}))
    assert got == [1, 5, 29]


def test_range_query_and_sort_and_paging(coll):
    got = [d["n"] for d in coll.find({"n": {"$gte": 10, "$lt": 20}}, sort=[("n", -1)], skip=2, limit=3)]
    assert got == [17, 16, 15]


def test_array_membership_query(coll):
    assert coll.count_documents({"tags": "t1"}) == 15


def test_object_id_equality_and_in(coll):
    ids = [d["_id"] for d in coll.find({}, {"_id": 1}, limit=3)]
    assert coll.find_one({"_id": ids[0]})["_id"] == ids[0]
    assert len(list(coll.find({"_id": {"$in": ids}}))) == 3


def test_regex_as_operator_dict_matches(coll):
    got = sorted(d["key"] for d in coll.find({"key": {"$regex": "^k2[0-3]$", "$options": ""}}))
    assert got == ["k20", "k21", "k22", "k23"]


def test_compiled_regex_matches(coll):
    assert len(list(coll.find({"key": re.compile("^k2[0-3]$")}))) == 4


def test_not_operator(coll):
    assert len(list(coll.find({"n": {"$not": {"$lt": 10}}}))) == 20


def test_exists_operator(coll):
    coll.update_one({"key": "k3"}, {"$set": {"stale_since": datetime.now(timezone.utc)}})
    assert [d["key"] for d in coll.find({"stale_since": {"$exists": True}})] == ["k3"]
    assert coll.count_documents({"stale_since": {"$exists": False}}) == 29


def test_count_command(coll):
    assert coll.database.command("count", coll.name, query={"grp": "g1"})["n"] == 10


def test_projection_of_top_level_fields(coll):
    doc = coll.find_one({"key": "k4"}, {"_id": 0, "key": 1, "n": 1})
    assert doc == {"key": "k4", "n": 4}


def test_dotted_projection_nests(coll):
    assert coll.find_one({"key": "k4"}, {"_id": 0, "sub.a": 1}) == {"sub": {"a": 4}}


def test_rename_collection(store, coll):
    coll.rename("contract_renamed")
    assert store.db["contract_renamed"].estimated_document_count() == 30


def test_update_many_and_delete_many_with_in(coll):
    keys = ["k1", "k2", "k3"]
    assert coll.update_many({"key": {"$in": keys}}, {"$set": {"flag": True}}).modified_count == 3
    assert coll.delete_many({"key": {"$in": keys}}).deleted_count == 3
    assert coll.estimated_document_count() == 27


def test_datetime_set_on_existing_document_stays_a_datetime(store):
    """neosqlite's SQL fast path stored such values as text; our server launcher routes them around it."""
    c = store["times2"]
    t = datetime(2026, 11, 24, 10, 0, 0, 123000, tzinfo=timezone.utc)
    c.insert_one({"k": 1})
    c.update_one({"k": 1}, {"$set": {"t": t}})
    c.bulk_write([UpdateOne({"k": 1}, {"$set": {"u": t}}, upsert=True)])
    c.update_many({"k": 1}, {"$set": {"v": t}})
    doc = c.find_one({"k": 1})
    assert doc["t"] == t and doc["u"] == t and doc["v"] == t
    assert c.find_one({"t": {"$lt": t}}) is None
    assert c.find_one({"t": {"$gt": t - timedelta(seconds=1)}}) is not None


def test_subsecond_datetime_comparison(store):
    c = store["times3"]
    t = datetime(2026, 11, 24, 10, 0, 0, 123000, tzinfo=timezone.utc)
    c.insert_one({"t": t})
    assert c.find_one({"t": {"$gt": t - timedelta(milliseconds=1)}}) is not None


def test_not_equal_operator(coll):
    assert coll.count_documents({"grp": {"$ne": "g0"}}) == 20


def test_boolean_set_on_existing_document_stays_a_boolean(store):
    """neosqlite's SQL fast path stored True as 1; our server launcher routes such updates around it."""
    c = store["bools"]
    c.insert_one({"k": 1, "clique": False})
    c.update_one({"k": 1}, {"$set": {"clique": True, "show_in_tree": False}})
    doc = c.find_one({"k": 1})
    assert doc["clique"] is True and doc["show_in_tree"] is False


def test_datetimes_round_trip_as_utc(store):
    c = store["times"]
    t = datetime(2026, 11, 24, 10, 0, 0, 123000, tzinfo=timezone.utc)
    c.insert_one({"t": t})
    assert c.find_one()["t"] == t
    assert c.find_one({"t": {"$lt": t + timedelta(seconds=1)}}) is not None


def test_find_one_and_update_claims_oldest_atomically(store):
    c = store["queue"]
    c.create_index("status", name="status")
    base = datetime(2026, 1, 1, tzinfo=timezone.utc)
    c.insert_many([{"status": "pending", "submit_timestamp": base + timedelta(seconds=i), "n": i} for i in range(40)])
    claimed: list[int] = []
    lock = threading.Lock()

    def worker(owner: str) -> None:
        from pymongo import MongoClient

        client = MongoClient(store.location.uri, tz_aware=True)
        q = client.get_default_database()["queue"]
        while True:
            doc = q.find_one_and_update({"status": "pending"}, {"$set": {"status": "running", "owner": owner}},
                                        sort=[("submit_timestamp", 1)], return_document=ReturnDocument.AFTER)
            if doc is None:
                break
            with lock:
                claimed.append(doc["n"])
        client.close()

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(claimed) == list(range(40)), "every queued item is claimed exactly once"


def test_create_index_is_idempotent_and_init_twice_is_stable(store):
    first = init_db(store)
    snapshot = {n: sorted(map(str, store[n].find({}, {"_id": 0}))) for n in first}
    second = init_db(store)
    assert first == second
    assert {n: sorted(map(str, store[n].find({}, {"_id": 0}))) for n in first} == snapshot


def test_index_on_synthetic_keys_exists(initialized_store):
    info = initialized_store["inventory"].index_information()
    indexed = {key for ix in info.values() for key, _ in ix["key"]}
    assert {"_key", "_env_id", "_env_parent", "_env_type"} <= indexed
    unique = {ix["key"][0][0] for ix in info.values() if ix.get("unique")}
    assert "_key" in unique


def test_gap_index_on_field_named_id_is_avoided(initialized_store):
    """We never index `id` (nx-27017 would silently skip it); lookups use `_env_id` instead."""
    from app.store.indexes import INDEXES

    assert all(ix.field != "id" for ix in INDEXES)


def test_replace_one_by_name_without_upsert(store):
    c = store["cfg"]
    c.insert_one({"name": "a", "v": 1})
    c.replace_one({"name": "a"}, {"name": "a", "v": 2})
    assert c.find_one({"name": "a"})["v"] == 2 and c.estimated_document_count() == 1


def test_drop_database_removes_everything(store_uri):
    from pymongo import MongoClient

    client = MongoClient(store_uri)
    client["t_dropme"]["x"].insert_one({"a": ObjectId()})
    client.drop_database("t_dropme")
    assert "t_dropme" not in client.list_database_names()
    client.close()


def test_object_id_field_matched_with_in(store):
    from app.store.keys import oid_match

    c = store["oids"]
    o = ObjectId()
    c.insert_one({"f": o, "v": 1})
    assert c.find_one({"f": oid_match(o)})["v"] == 1
    assert c.update_one({"f": oid_match(o)}, {"$set": {"v": 2}}).matched_count == 1


def test_object_id_field_equality(store):
    c = store["oids2"]
    o = ObjectId()
    c.insert_one({"f": o})
    assert c.find_one({"f": o}) is not None


def test_object_id_array_membership(store):
    c = store["oids3"]
    o = ObjectId()
    c.insert_one({"arr": [o]})
    assert c.find_one({"arr": o}) is not None


def test_indexed_array_membership_with_in(store):
    c = store["arr"]
    c.create_index("arr")
    c.insert_one({"arr": ["x", "y"]})
    assert c.find_one({"arr": {"$in": ["y"]}}) is not None


def test_indexed_array_membership_equality(store):
    c = store["arr2"]
    c.create_index("arr")
    c.insert_one({"arr": ["x", "y"]})
    assert c.find_one({"arr": "y"}) is not None
