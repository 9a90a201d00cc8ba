"""The embedded store's write-path patches (app.store.embedded_patches) change cost, not behaviour.

Write errors keep MongoDB's ordered/unordered semantics, every BSON type Calipso stores comes back as it went
in, and the same commands against a store started without the patches leave byte-identical SQLite rows.
"""

from __future__ import annotations

import json
import math
import sqlite3
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from bson import Binary, Int64, ObjectId
from pymongo import DeleteMany, MongoClient, UpdateOne
from pymongo.errors import BulkWriteError

from app.store import embedded_patches
from app.store.embedded import EmbeddedStore

T0 = datetime(2026, 11, 27, 12, 0, 0, 123000, tzinfo=timezone.utc)


def oid(n: int) -> ObjectId:
    return ObjectId(n.to_bytes(12, "big"))


def rich(n: int) -> dict:
    """One document with every value type a scan writes."""
    return {
        "_id": oid(n), "key": f"k{n}", "n": n, "big": Int64(2**40 + n), "ratio": n / 7, "none": None,
        "on": n % 2 == 0, "off": False, "seen": T0 + timedelta(seconds=n),
        "nested": {"a": {"b": [n, {"c": f"x{n}", "when": T0}]}, "flag": True},
        "tags": [f"t{n % 3}", "ü-ñ ✓"], "list_of_dicts": [{"ip": f"10.0.0.{n}", "up": True}],
        "ref": oid(1000 + n), "refs": [oid(2000 + n), {"deep": oid(3000 + n)}],
        "blob": bytes([0, n % 256, 255]), "empty": {}, "empty_list": [],
    }


@pytest.fixture
def coll(store):
    c = store["patched"]
    c.create_index("key", unique=True, name="key")
    return c


@pytest.mark.parametrize("projection", [{"key": 1, "seen": 1}, {"_id": 0, "nested": 1}, {"blob": 0, "_id": 0}])
def test_projected_find_returns_the_projected_fields(coll, projection):
    docs = [rich(n) for n in range(10)]
    coll.insert_many(docs)
    got = list(coll.find({"n": {"$lt": 5}}, projection, sort=[("n", 1)]))
    keep = [k for k, v in projection.items() if v] or [k for k in docs[0] if k not in projection]
    if projection.get("_id", 1) and "_id" not in keep:
        keep.append("_id")
    assert got == [{k: d[k] for k in keep} for d in docs[:5]]


def test_every_type_round_trips(coll):
    docs = [rich(n) for n in range(20)]
    assert coll.insert_many(docs).inserted_ids == [d["_id"] for d in docs]
    got = {d["_id"]: d for d in coll.find()}
    assert got == {d["_id"]: d for d in docs}
    back = got[oid(3)]
    assert back["on"] is False and back["nested"]["flag"] is True and back["off"] is False
    assert isinstance(back["big"], int) and isinstance(back["ref"], ObjectId) and isinstance(back["blob"], bytes)
    assert back["seen"] == T0 + timedelta(seconds=3) and back["seen"].tzinfo is not None


@pytest.mark.parametrize("ordered", [True, False])
def test_duplicate_key_in_the_middle_of_insert_many(coll, ordered):
    coll.insert_one({"key": "taken"})
    docs = [{"key": "a"}, {"key": "b"}, {"key": "taken"}, {"key": "c"}, {"key": "b"}, {"key": "d"}]
    with pytest.raises(BulkWriteError) as err:
        coll.insert_many(docs, ordered=ordered)
    details = err.value.details
    if ordered:
        assert [(e["index"], e["code"]) for e in details["writeErrors"]] == [(2, 11000)]
        assert details["nInserted"] == 2
        assert sorted(d["key"] for d in coll.find()) == ["a", "b", "taken"]
    else:
        assert [(e["index"], e["code"]) for e in details["writeErrors"]] == [(2, 11000), (4, 11000)]
        assert details["nInserted"] == 4
        assert sorted(d["key"] for d in coll.find()) == ["a", "b", "c", "d", "taken"]


def test_insert_without_id_gets_one_from_the_server(store):
    db = store["noid"].database
    assert db.command("insert", "noid", documents=[{"k": 1}, {"k": 2, "_id": None}])["n"] == 2
    ids = [d["_id"] for d in db["noid"].find()]
    assert len(ids) == 2 and all(isinstance(i, ObjectId) for i in ids) and ids[0] != ids[1]


def test_update_by_in_of_ids_keeps_types(coll):
    docs = [rich(n) for n in range(50)]
    coll.insert_many(docs)
    ids = [d["_id"] for d in docs[10:40]]
    res = coll.update_many({"_id": {"$in": ids}}, {"$set": {"clique": True, "seen": T0 + timedelta(days=1)}})
    assert res.matched_count == 30 and res.modified_count == 30
    assert coll.count_documents({"clique": True}) == 30
    back = coll.find_one({"_id": oid(10)})
    assert back["clique"] is True and back["seen"] == T0 + timedelta(days=1)
    assert back["nested"] == rich(10)["nested"] and back["blob"] == rich(10)["blob"] and back["on"] is True
    assert "clique" not in coll.find_one({"_id": oid(9)})


@pytest.mark.parametrize("ordered", [True, False])
def test_bulk_update_by_id_with_an_error_in_the_middle(coll, ordered):
    coll.insert_many([rich(n) for n in range(6)])
    later = T0 + timedelta(hours=1)
    ops = [UpdateOne({"_id": oid(n)}, {"$set": {"seen": later, "mtu": n}}) for n in range(6)]
    ops[3] = UpdateOne({"_id": oid(3)}, {"$set": {"key": "k0"}})    # duplicate of document 0's key
    with pytest.raises(BulkWriteError) as err:
        coll.bulk_write(ops, ordered=ordered)
    assert [(e["index"], e["code"]) for e in err.value.details["writeErrors"]] == [(3, 11000)]
    updated = sorted(d["mtu"] for d in coll.find({"mtu": {"$exists": True}}))
    assert updated == ([0, 1, 2] if ordered else [0, 1, 2, 4, 5])
    assert coll.find_one({"_id": oid(3)})["key"] == "k3"
    assert coll.find_one({"_id": oid(1)})["seen"] == later


def _value(cell):
    """A document's JSON text by its value (the patched store writes it compactly, with orjson)."""
    if isinstance(cell, str) and cell[:1] in "{[":
        try:
            return ("json", json.loads(cell))
        except ValueError:
            pass
    return cell


def _rows(path: Path) -> dict[str, list[tuple]]:
    with sqlite3.connect(path) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        rows = {n: [tuple(map(_value, r)) for r in conn.execute(f'SELECT * FROM "{n}" ORDER BY rowid')]
                for n in names}
        # the patched store adds its json_type indexes (app.store.embedded_exact), nothing else
        rows["schema"] = conn.execute("SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'calipso_type_%' "
                                      "ORDER BY name").fetchall()
    return rows


def _scenario(db) -> list:
    """Inserts, errors, updates and deletes of every kind the fast paths take, and what each answered (found
    documents by value: MongoDB's field order, which the patched store keeps, is not neosqlite's; dotted
    projections, which neosqlite got wrong, are in test_store_contract)."""
    c = db["eq"]
    c.create_index("key", unique=True, name="key")
    c.create_index("n", name="n")
    out: list = [c.insert_many([rich(n) for n in range(40)]).inserted_ids]
    for ordered in (True, False):
        try:
            c.insert_many([rich(100 + ordered), rich(5), {"_id": oid(200 + ordered), "key": "k5"}, rich(150 + ordered)],
                          ordered=ordered)
        except BulkWriteError as e:
            out.append(e.details)
    for odd in ({"_id": oid(300), "key": "nan", "x": math.nan}, {"_id": oid(301), "key": "inf", "x": -math.inf},
                {"_id": oid(302), "key": "uuid", "u": Binary(uuid.UUID(int=7).bytes, 4)}):
        try:
            out.append(c.insert_one(odd).inserted_id)
        except Exception as e:     # whatever the unpatched store does, the patched one must do the same
            out.append((type(e).__name__, str(e)))
    ids = [oid(n) for n in range(0, 40, 2)]
    out.append(c.update_many({"_id": {"$in": ids}}, {"$set": {"clique": True}}).raw_result)
    out.append(c.update_many({"_id": {"$in": ids}}, {"$set": {"n": 7, "sub.x": 1}, "$unset": {"none": ""}}).raw_result)
    ops = [UpdateOne({"_id": oid(n)}, {"$set": {"seen": T0 + timedelta(minutes=n), "on": True}}) for n in range(40)]
    ops[20] = UpdateOne({"_id": oid(20)}, {"$set": {"key": "k1"}})
    for ordered in (True, False):
        try:
            c.bulk_write(ops, ordered=ordered)
        except BulkWriteError as e:
            out.append(e.details)
    out.append(c.bulk_write([DeleteMany({"_id": {"$in": ids[:5]}})]).bulk_api_result)
    out.append(c.delete_many({"key": {"$in": ["k7", "k9", "nope"]}}).raw_result)
    for projection in ({"key": 1, "seen": 1}, {"_id": 1, "nested": 1, "refs": 1}, {"_id": 0, "key": 1, "on": True},
                       {"tags": 1}, {"blob": 0, "nested": 0}, {"_id": 0}, {"_id": 1}, {"nope": 1}):
        out.append([dict(d) for d in c.find({"n": {"$gte": 3}}, projection, sort=[("_id", 1)])])
    c.insert_one({"_id": oid(400), "key": "odd", "n": 5, "it's": 1, 'q"uote': 2, "none": None})
    for projection in ({"key": 1, "none": 1, "nope": 1}, {"_id": 1, "seen": 1, "ratio": 1, "big": 1, "blob": 1},
                       {"_id": 0, "list_of_dicts": 1, "empty": 1, "empty_list": 1, "off": 1, "ref": 1},
                       {"key": True, "it's": 1}, {"key": 1, 'q"uote': 1}, {"_id": 1}):
        out.append(sorted((dict(d) for d in c.find({"n": {"$lt": 30}}, projection)), key=lambda d: repr(sorted(d.items()))))   # no sort: any order
        out.append([dict(d) for d in c.find({"key": {"$ne": "k3"}}, projection, sort=[("key", -1)],
                                                    skip=2, limit=4)])
    return out


def test_patched_store_writes_exactly_what_the_unpatched_one_writes(store_uri, calipso_home, tmp_path, monkeypatch):
    name = f"eq_{uuid.uuid4().hex[:8]}"
    monkeypatch.setenv("CALIPSO_STORE_PATCHES", "0")
    plain = EmbeddedStore(tmp_path / "plain-home")
    plain_uri = plain.ensure_running()
    results = {}
    try:
        for label, uri in (("patched", store_uri), ("plain", plain_uri)):
            client = MongoClient(uri, tz_aware=True)
            try:
                results[label] = _scenario(client[name])
            finally:
                client.close()
        assert results["patched"] == results["plain"]
        assert _rows(calipso_home / "store" / "data" / f"{name}.db") == _rows(plain.data_dir / f"{name}.db")
    finally:
        plain.stop()
        client = MongoClient(store_uri)
        client.drop_database(name)
        client.close()


def test_a_database_in_the_middle_of_a_command_is_not_closed_by_the_open_files_cap(tmp_path):
    """nx-27017 closes the least recently used of more than 100 open databases; closing commits."""
    from nx_27017.handler import NeoSQLiteHandler

    embedded_patches.patch_busy_while_in_transaction()
    handler = NeoSQLiteHandler(data_dir=str(tmp_path))
    try:
        busy = handler.get_database("busy")
        busy.db.execute("CREATE TABLE t (x)")
        busy.db.execute("BEGIN IMMEDIATE")
        busy.db.execute("INSERT INTO t VALUES (1)")
        for i in range(110):
            handler.get_database(f"other{i}")
        assert handler.get_database("busy") is busy and busy.db.in_transaction
        busy.db.execute("ROLLBACK")
        for i in range(110, 220):
            handler.get_database(f"other{i}")
        assert handler.get_database("busy") is not busy      # idle, it takes its turn again
    finally:
        handler.close_all()


def test_a_projected_find_asks_sqlite_for_the_projected_fields_only(tmp_path):
    """A rescan's index reads: SQLite hands over the few fields asked for, not each whole document."""
    from neosqlite import Connection

    from app.store import embedded_projection

    embedded_projection.patch_find_projection()
    embedded_projection.patch_find_projection_sql()
    db = Connection(str(tmp_path / "p.db"))
    try:
        c = db["inventory"]
        ports = [{"name": f"vxlan-{i}", "options": {"remote_ip": f"10.0.{i // 250}.{i % 250}"}} for i in range(1000)]
        c.insert_many([{"_id": f"o{n}", "environment": "e", "type": "vedge", "_hash": f"h{n}", "tunnel_ports": ports,
                        "stale_since": None} for n in range(3)] + [{"_id": "o9", "environment": "other"}])
        statements: list[str] = []
        db.db.set_trace_callback(statements.append)
        got = list(c.find({"environment": "e"}, {"_hash": 1, "type": 1, "stale_since": 1, "clique": 1}))
        assert got == [{"_hash": f"h{n}", "type": "vedge", "stale_since": None, "_id": f"o{n}"} for n in range(3)]
        select = [s for s in statements if s.lstrip().startswith("SELECT id, _id")]
        assert len(select) == 1 and "data ->" in select[0] and "as data" not in select[0], statements
        statements.clear()
        nested = list(c.find({"environment": "e"}, {"type": 0, "_id": 0}))   # an exclusion: neosqlite's own path
        assert [len(d["tunnel_ports"]) for d in nested] == [1000] * 3
        assert any("as data" in s for s in statements)
    finally:
        db.close()


def test_a_store_run_against_other_library_versions_refuses_the_patches(monkeypatch):
    monkeypatch.setattr(embedded_patches, "PATCHED_FOR", {**embedded_patches.PATCHED_FOR, "neosqlite": "0.0.1"})
    with pytest.raises(embedded_patches.PatchMismatch, match="re-check each patch"):
        embedded_patches.check_versions()
