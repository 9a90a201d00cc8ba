"""Keys added to stored documents after they were written: filled in once, at start-up, for stores written
by an earlier version.

`_name_lc` (app.store.keys.name_key), which name suggestions are looked up by, is written with every object
since it was added; objects stored before have none and would not be suggested until their next scan. The
first start-up of this version writes it for them, then records that it did in `calipso_meta`, so later
start-ups cost one lookup (a query for the documents without it would scan the whole inventory each time).
"""

from __future__ import annotations

import logging
from datetime import datetime, timezone

from pymongo import UpdateOne

from app.store.keys import name_key

log = logging.getLogger(__name__)
META = "calipso_meta"
NAME_KEYS = "inventory_name_keys"
BATCH = 1000


def backfill_name_keys(get_collection) -> int:
    """Write `_name_lc` on every inventory object, once per store; returns how many were written."""
    meta = get_collection(META)
    if meta.find_one({"_id": NAME_KEYS}) is not None:
        return 0
    inventory = get_collection("inventory")
    ops, written = [], 0
    for doc in inventory.find({}, {"name": 1, "_name_lc": 1}):
        key = name_key(doc.get("name"))
        if doc.get("_name_lc") != key["_name_lc"]:
            ops.append(UpdateOne({"_id": doc["_id"]}, {"$set": key}))
        if len(ops) == BATCH:
            inventory.bulk_write(ops, ordered=False)
            written, ops = written + len(ops), []
    if ops:
        inventory.bulk_write(ops, ordered=False)
        written += len(ops)
    meta.update_one({"_id": NAME_KEYS}, {"$set": {"done_at": datetime.now(timezone.utc), "written": written}},
                    upsert=True)
    if written:
        log.info("name keys written for %d inventory objects stored by an earlier version", written)
    return written
