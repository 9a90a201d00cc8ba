"""Catalogue entries added by an administrator carry no `_seed`: many of them must fit beside the seeded ones.

(mongomock applies MongoDB's rule that a missing field is null under a unique index; the embedded store
does not, so this is checked here.)"""

from __future__ import annotations

import mongomock
import pytest
from pymongo.errors import DuplicateKeyError

from app.store.indexes import ensure_indexes


def test_admin_entries_without_a_seed_key_coexist_and_seed_keys_stay_unique():
    db = mongomock.MongoClient()["calipso"]
    db["link_types"].create_index("_seed", unique=True, name="calipso__seed")   # as older releases made it
    ensure_indexes(lambda name: db[name])
    links = db["link_types"]
    links.insert_one({"type": "a-b"})
    links.insert_one({"type": "c-d"})
    links.insert_one({"type": "e-f", "_seed": "e-f"})
    with pytest.raises(DuplicateKeyError):
        links.insert_one({"type": "g-h", "_seed": "e-f"})
    assert links.count_documents({}) == 3
