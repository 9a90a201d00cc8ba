"""What the embedded store answers as MongoDB does since app.store.embedded_guard, and what it refuses.

Each case here was a silent wrong answer of nx-27017 0.8.1 + neosqlite 1.17.2 (issue 28); a refusal is a
pymongo OperationFailure with MongoDB's code (2 BadValue, 115 CommandNotSupported) naming the operator.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta, timezone

import pytest
from bson import ObjectId, Regex
from pymongo.errors import OperationFailure


@pytest.fixture
def store(backend_store):
    """Each test runs on the embedded store, and on CALIPSO_TEST_MONGO_URI's mongod when set (conftest)."""
    return backend_store

T = datetime(2026, 1, 1, 10, 0, 0, 123000, tzinfo=timezone.utc)


@pytest.fixture
def mixed(store):
    c = store["mixed"]
    c.create_index("name", name="name")
    focal = ObjectId()
    c.insert_many([
        {"_id": 1, "environment": "e", "focal_point": focal, "n": 5, "flag": True, "name": "host-1", "t": T},
        {"_id": 2, "environment": "e", "focal_point": ObjectId(), "n": 15.5, "flag": False, "name": "Host-2",
         "t": T + timedelta(milliseconds=1)},
        {"_id": 3, "environment": "e", "n": True, "name": ["host-3", "x"], "t": T - timedelta(milliseconds=1)},
        {"_id": 4, "environment": "f", "n": None, "name": 7},
    ])
    return c, focal


def ids(cursor) -> list:
    return sorted(d["_id"] for d in cursor)


def test_clique_by_environment_and_object_id_focal_point(mixed):
    c, focal = mixed
    assert ids(c.find({"environment": "e", "focal_point": focal})) == [1]
    assert ids(c.find({"focal_point": {"$ne": focal}})) == [2, 3, 4]


def test_booleans_are_not_numbers(mixed):
    c, _ = mixed
    assert ids(c.find({"n": {"$lt": 10}})) == [1]
    assert ids(c.find({"n": {"$gte": 1}})) == [1, 2]


def test_datetimes_compare_to_the_millisecond(mixed):
    c, _ = mixed
    assert ids(c.find({"t": {"$gt": T}})) == [2]
    assert ids(c.find({"t": T})) == [1]
    assert ids(c.find({"t": {"$ne": T}})) == [2, 3, 4]


def test_regex_matches_strings_and_array_elements_only(mixed):
    c, _ = mixed
    assert ids(c.find({"name": {"$regex": "host-", "$options": "i"}})) == [1, 2, 3]
    assert ids(c.find({"name": re.compile("^host")})) == [1, 3]
    assert ids(c.find({"name": Regex("7")})) == []


def test_indexed_equality_finds_array_elements(mixed):
    c, _ = mixed
    assert ids(c.find({"name": "x"})) == [3]


def test_what_a_query_found_of_a_field_follows_later_writes(store):
    """The store plans a query by what the field holds (only strings, no arrays: its index alone answers) and
    keeps what it found between queries: a write that puts an array, a number or a new collection there is
    seen by the very next query."""
    assert store["later"].find_one({"name": "a"}) is None          # no collection yet
    c = store["later"]
    c.create_index("name", name="name")
    c.insert_many([{"_id": 1, "name": "a"}, {"_id": 2, "name": "b"}])
    assert ids(c.find({"name": "a"})) == [1]
    assert [d["_id"] for d in c.find({"name": {"$gte": "a"}}, sort=[("name", 1)])] == [1, 2]
    c.insert_one({"_id": 3, "name": ["x", "a"]})
    assert ids(c.find({"name": "a"})) == [1, 3]
    c.update_one({"_id": 2}, {"$set": {"name": 5}})
    assert ids(c.find({"name": {"$gte": "a"}})) == [1, 3]
    c.delete_one({"_id": 3})
    c.update_one({"_id": 2}, {"$set": {"name": "a"}})
    assert ids(c.find({"name": "a"})) == [1, 2]
    c.drop()
    assert c.find_one({"name": "a"}) is None


def test_sort_follows_mongodb_type_order(mixed):
    c, _ = mixed
    assert [d["_id"] for d in c.find({}, sort=[("n", 1), ("_id", 1)])] == [4, 1, 2, 3]


def test_name_search_fast_path_gives_the_same_answer(store):
    """With the name indexed and no arrays in it, a find by environment and part of a name runs in SQL."""
    c = store["names"]
    c.create_index("name", name="name")
    c.create_index("environment", name="environment")
    c.insert_many([{"environment": "e", "name": n} for n in ("tap-ABC", "tapabc", "Ωtap-abc", "other", "tap_%x")]
                  + [{"environment": "e", "name": 12}, {"environment": "f", "name": "tap-abc"}])
    got = [d["name"] for d in c.find({"environment": "e", "name": {"$regex": re.escape("TAP-a"), "$options": "i"}},
                                     {"_id": 0, "name": 1}, sort=[("name", 1)], limit=15)]
    assert got == ["tap-ABC", "Ωtap-abc"]
    assert [d["name"] for d in c.find({"environment": "e", "name": {"$regex": re.escape("_%")}})] == ["tap_%x"]


def test_distinct_applies_its_filter_and_unwinds_arrays(mixed):
    c, _ = mixed
    assert c.distinct("name", {"environment": "e", "n": {"$ne": 5}}) == ["Host-2", "host-3", "x"]


def test_group_by_a_document_and_through_arrays(mixed):
    c, _ = mixed
    got = c.aggregate([{"$match": {"environment": "e"}},
                       {"$group": {"_id": {"env": "$environment", "flag": "$flag"}, "n": {"$sum": 1}}}])
    assert sorted((sorted(g["_id"].items()), g["n"]) for g in got) == [
        ([("env", "e")], 1), ([("env", "e"), ("flag", False)], 1), ([("env", "e"), ("flag", True)], 1)]
    assert sorted(map(str, (g["_id"] for g in c.aggregate([{"$group": {"_id": "$name", "n": {"$sum": 1}}}])))) == \
        sorted(map(str, ["host-1", "Host-2", ["host-3", "x"], 7]))


def test_upserted_replacement_keeps_the_filter_id(store):
    c = store["up"]
    c.replace_one({"_id": "fixed"}, {"v": 1}, upsert=True)
    assert c.find_one({"_id": "fixed"}) == {"_id": "fixed", "v": 1}


def test_rename_refuses_an_existing_target_unless_dropped(store):
    store["a"].insert_one({"x": 1})
    store["b"].insert_one({"x": 2})
    with pytest.raises(OperationFailure) as err:
        store["a"].rename("b")
    assert err.value.code == 48
    store["a"].rename("b", dropTarget=True)
    assert [d["x"] for d in store["b"].find()] == [1] and "a" not in store.db.list_collection_names()


@pytest.mark.parametrize("call, code, named", [
    (lambda c: list(c.find({"$where": "this.n > 1"})), 2, "$where"),
    (lambda c: list(c.find({"n": {"$bitsAllSet": 1}})), 2, "$bitsAllSet"),
    (lambda c: list(c.find({}, {"l": {"$slice": 1}})), 2, "$slice"),
    (lambda c: list(c.find({}, {"a": 1, "b": 0})), 2, "mix inclusion and exclusion"),
    (lambda c: c.update_one({"_id": 1}, {"$currentDate": {"t": True}}), 2, "$currentDate"),
    (lambda c: c.update_many({}, {"$push": {"n": 1}}), 2, "$push"),
    (lambda c: list(c.aggregate([{"$lookup": {"from": "x", "localField": "a", "foreignField": "b", "as": "j"}}])),
     115, "$lookup"),
])
def test_what_the_store_cannot_answer_is_refused_with_mongodb_codes(mixed, embedded_only, call, code, named):
    c, _ = mixed
    with pytest.raises(OperationFailure) as err:
        call(c)
    assert err.value.code == code and named in str(err.value)


def _plan(cursor) -> str:
    return str(cursor.explain()["queryPlanner"]["winningPlan"])


def test_lookups_and_name_searches_use_the_indexes(store, embedded_only):
    """explain shows SQLite's plan: an indexed lookup is a SEARCH of its index, never a SCAN of the table."""
    c = store["planned"]
    for field in ("_env_id", "environment", "name", "source"):
        c.create_index(field, name=field)
    src = ObjectId()
    c.insert_many([{"_env_id": f"e|o{i}", "environment": "e", "name": f"tap-{i}", "source": src if i % 2 else
                    ObjectId()} for i in range(200)])
    assert "USING INDEX idx_planned__env_id" in _plan(c.find({"_env_id": "e|o7"}))
    assert "USING INDEX idx_planned_source" in _plan(c.find({"source": {"$in": [src]}}))
    assert "USING INDEX idx_planned_environment" in _plan(c.find({"environment": "e", "name": {
        "$regex": "ap-1", "$options": "i"}})) or "USING INDEX idx_planned_name" in _plan(
        c.find({"environment": "e", "name": {"$regex": "ap-1", "$options": "i"}}))
    assert c.count_documents({"source": src}) == 100
    assert len(list(c.find({"environment": "e", "name": {"$regex": "ap-1", "$options": "i"}}))) == 111


def test_find_one_and_update_that_fails_says_so(store):
    """nx-27017 answered a failed findAndModify as 'nothing matched'."""
    from pymongo.errors import DuplicateKeyError

    c = store["claims"]
    c.create_index("key", unique=True, name="key")
    c.insert_many([{"key": "a", "n": 1}, {"key": "b", "n": 2}])
    with pytest.raises(DuplicateKeyError):
        c.find_one_and_update({"key": "b"}, {"$set": {"key": "a"}})
    assert c.find_one_and_update({"key": "b"}, {"$inc": {"n": 1}}, return_document=True)["n"] == 3


def test_keyset_pages_and_name_prefixes_are_ranges_of_an_index(store, embedded_only):
    """A page after a cursor and a name prefix are SEARCHes of one index, in its order: no temporary sort, and
    no row skipped by reading it (api.resources.inventory, api.resources.inventory_search)."""
    from app.store.keys import prefix_range

    c = store["ranged"]
    c.create_index("_key", unique=True, name="_key")
    c.create_index([("environment", 1), ("_name_lc", 1)], name="env_name_lc")
    c.insert_many([{"_key": f"e|vnic|tap{i:03d}", "environment": "e", "_name_lc": f"tap{i:03d}"} for i in range(300)]
                  + [{"_key": f"f|vnic|tap{i:03d}", "environment": "f", "_name_lc": f"tap{i:03d}"} for i in range(5)])
    page = c.find({"_key": {"$gt": "e|vnic|tap099", "$lt": "e}"}}).sort("_key", 1).limit(10)
    plan = _plan(page)
    assert "USING INDEX idx_ranged__key" in plan and "TEMP B-TREE" not in plan, plan
    assert [d["_key"] for d in page.clone()] == [f"e|vnic|tap{i:03d}" for i in range(100, 110)]
    prefix = c.find({"environment": "e", "_name_lc": prefix_range("tap29")}).sort("_name_lc", 1).limit(3)
    plan = _plan(prefix)
    assert "USING INDEX idx_ranged_environment__name_lc" in plan and "TEMP B-TREE" not in plan, plan
    assert [d["_name_lc"] for d in prefix.clone()] == ["tap290", "tap291", "tap292"]


def test_a_name_prefix_of_one_type_is_still_a_range_of_the_name_index(store, embedded_only):
    """With Calipso's own indexes, the console's typed suggestion (a picker's) reads the (environment,
    _name_lc) range in order, not every object of the type."""
    from app.store.init import init_db
    from app.store.keys import prefix_range

    init_db(store)
    inv = store["inventory"]
    inv.insert_many([{"environment": "e", "_env_type": "e|vnic", "_name_lc": f"tap{i:03d}", "_key": f"e|vnic|{i}"}
                     for i in range(200)])
    found = inv.find({"environment": "e", "_name_lc": prefix_range("tap1"), "_env_type": "e|vnic"}).sort(
        "_name_lc", 1).limit(3)
    plan = _plan(found)
    assert "USING INDEX idx_inventory_environment__name_lc" in plan and "TEMP B-TREE" not in plan, plan
    assert [d["_name_lc"] for d in found.clone()] == ["tap100", "tap101", "tap102"]


def test_a_find_larger_than_a_reply_arrives_whole_in_batches(store):
    """Replies are at most 16 MB: 20 documents of 1 MB come in more than one batch, each as stored."""
    c = store["big"]
    docs = [{"_id": ObjectId(), "i": i, "when": T, "blob": chr(ord("a") + i) * 1_000_000} for i in range(20)]
    c.insert_many(docs)
    got = list(c.find({}, sort=[("i", 1)], batch_size=100))
    assert [(d["_id"], d["i"], d["when"], d["blob"]) for d in got] == [
        (d["_id"], d["i"], d["when"], d["blob"]) for d in docs]


def test_a_filter_partly_in_sql_reads_through_its_sql_part_and_answers_the_same(mixed):
    """app.store.embedded_narrow: the clauses SQL answers narrow the rows the matcher reads; every answer is
    still the whole filter's (array elements, a field twice, $and, a regex beside a $ne)."""
    c, focal = mixed
    assert ids(c.find({"environment": "e", "n": {"$ne": None}})) == [1, 2, 3]
    assert ids(c.find({"environment": "e", "name": "x", "n": {"$exists": True}})) == [3]     # an array element
    assert ids(c.find({"$and": [{"environment": "e"}, {"environment": {"$ne": "f"}}], "flag": {"$ne": True}})) == [2, 3]
    assert ids(c.find({"environment": {"$in": ["e", "f"]}, "$and": [{"n": {"$not": {"$gt": 6}}}]})) == [1, 3, 4]
    assert ids(c.find({"focal_point": focal, "t": {"$gte": T}})) == [1]
    assert ids(c.find({"environment": "e", "$or": [{"flag": True}, {"n": True}]})) == [1, 3]
    assert [d["_id"] for d in c.find({"environment": "e", "n": {"$ne": 5}}, sort=[("n", -1)])] == [3, 2]   # booleans sort after numbers
