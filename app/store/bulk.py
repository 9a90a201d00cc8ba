"""Bulk upserts by `_id`, the one write path that is fast on both MongoDB and the embedded store.

New documents are inserted (so their `_id` keeps its ObjectId type on the embedded store),
existing ones updated with `$set` (fields written by other writers survive). A document
inserted concurrently by another writer between our look-up and our insert is updated instead.
"""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId
from pymongo import UpdateOne
from pymongo.collection import Collection
from pymongo.errors import BulkWriteError

from app.store.keys import as_object_id

BATCH = 1000


def upsert_by_id(coll: Collection, docs: list[tuple[ObjectId, dict]], seen: datetime) -> int:
    """Write (id, body) pairs; `first_seen` is set on insert, `stale_since` cleared on update."""
    written = 0
    for start in range(0, len(docs), BATCH):
        batch = docs[start:start + BATCH]
        ids = [oid for oid, _ in batch]
        existing = {as_object_id(d["_id"]) for d in coll.find({"_id": {"$in": ids}}, {"_id": 1})}
        inserts = [{"_id": oid, **body, "first_seen": seen} for oid, body in batch if oid not in existing]
        updates = [(oid, body) for oid, body in batch if oid in existing]
        if inserts:
            try:
                coll.insert_many(inserts, ordered=False)
            except BulkWriteError as e:
                raced = {inserts[err["index"]]["_id"] for err in e.details.get("writeErrors", [])
                         if err.get("code") == 11000}
                if len(raced) != len(e.details.get("writeErrors", [])):
                    raise
                bodies = dict(batch)
                updates += [(oid, bodies[oid]) for oid in raced]
        if updates:
            coll.bulk_write([UpdateOne({"_id": oid}, {"$set": body, "$unset": {"stale_since": ""}})
                             for oid, body in updates], ordered=False)
        written += len(batch)
    return written
