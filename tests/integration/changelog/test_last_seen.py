"""`last_seen` stays truthful without a write per object: recorded once per scan on the environment,
served for live objects; stale objects keep when they were last seen. Filters by scan time agree."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from app.inventory import Inventory, object_id, scan_times, scanned_between, served
from app.paths import place, root

T0 = datetime(2026, 3, 1, 10, 0, tzinfo=timezone.utc)


def test_live_objects_are_seen_by_the_last_scan_and_stale_ones_when_they_went_missing(initialized_store):
    store = initialized_store
    inv = Inventory(store, clock=lambda: T0)
    r = root("E")
    docs = [place({"id": f"h{i}", "type": "host"}, r, "E") for i in range(3)]
    inv.upsert(docs, seen=T0)                                           # written once, by the first scan
    store["environments_config"].insert_one({"name": "E", "last_scanned": T0 + timedelta(days=2)})
    inv.mark_stale([object_id("E", "host", "h2")], T0 + timedelta(days=2), {object_id("E", "host", "h2"): T0 + timedelta(days=1)})
    scanned = scan_times(store, ["E"])
    got = {d["id"]: served(d, scanned) for d in inv.find({"environment": "E"})}
    assert got["h0"]["last_seen"].replace(tzinfo=None) == (T0 + timedelta(days=2)).replace(tzinfo=None)
    assert got["h2"]["last_seen"].replace(tzinfo=None) == (T0 + timedelta(days=1)).replace(tzinfo=None)

    def between(after, before):
        q = scanned_between(scanned, after, before)
        return sorted(d["id"] for d in store["inventory"].find({"$and": [{"environment": "E"}, q]}))

    assert between(T0 + timedelta(hours=36), None) == ["h0", "h1"]               # the last scan saw them
    assert between(T0 + timedelta(hours=12), T0 + timedelta(hours=36)) == ["h2"]  # last seen on day 1
    assert between(None, T0 + timedelta(hours=12)) == []                          # all were seen later
    assert between(T0 + timedelta(days=3), None) == []
