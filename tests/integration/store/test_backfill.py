"""Objects stored by a version without name keys are found by name prefix after the first start-up."""

from __future__ import annotations

from app.store.backfill import META, NAME_KEYS
from app.store.init import init_db
from app.store.keys import prefix_range


def test_the_first_start_up_writes_name_keys_for_objects_stored_before(store):
    inv = store["inventory"]
    inv.insert_many([{"environment": "e", "id": f"o{i}", "name": f"Old-Port-{i}"} for i in range(2500)]
                    + [{"environment": "e", "id": "nameless"}])
    init_db(store)
    found = inv.find({"environment": "e", "_name_lc": prefix_range("old-port-249")}, {"id": 1}).sort("_name_lc", 1)
    assert [d["id"] for d in found] == ["o249"] + [f"o{i}" for i in range(2490, 2500)]
    assert inv.find_one({"id": "nameless"})["_name_lc"] == ""
    assert store[META].find_one({"_id": NAME_KEYS})["written"] == 2501
    init_db(store)                        # later start-ups: nothing to write, one lookup
    assert store[META].find_one({"_id": NAME_KEYS})["written"] == 2501
