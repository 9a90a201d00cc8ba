"""The change log on the embedded store: entries, folding into a net diff, points, retention."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from app.changediff import BadPoint, diff
from app.changelog import PART_SIZE, ChangeLog
from app.diffing import Change, Changes, content_hash


class Clock:
    def __init__(self):
        self.now = datetime(2026, 3, 1, 12, 0, 0, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def tick(self, seconds: float = 60) -> datetime:
        self.now += timedelta(seconds=seconds)
        return self.now


def obj(i: str, name: str | None = None, t: str = "instance", **extra) -> dict:
    d = {"type": t, "id": i, "name": name or i, "id_path": f"/e/host-1/{i}", **extra}
    d["_hash"] = content_hash(d)
    return d


def link(src: str, dst: str, lt: str = "instance-vnic") -> dict:
    return {"link_type": lt, "source_id": src, "target_id": dst, "link_name": f"{src}-{dst}"}


@pytest.fixture
def log(store):
    return ChangeLog(store, Clock(), days=30)


def test_renamed_then_renamed_back_is_no_change_and_add_then_remove_is_nothing(log):
    clock = log.clock
    a1 = log.record("e", Changes(objects=[Change("added", obj("vm1")), Change("added", obj("vm2"))]), "scan",
                    scan_id="s1", checkpoint=True)
    t1 = clock.tick()
    log.record("e", Changes(objects=[Change("changed", obj("vm1", "web"), {"name": ("vm1", "web")}),
                                     Change("added", obj("tmp"))]), "listener")
    clock.tick()
    log.record("e", Changes(objects=[Change("changed", obj("vm1"), {"name": ("web", "vm1")}),
                                     Change("removed", obj("tmp")), Change("removed", obj("vm2"))],
                            links=[Change("added", link("vm1", "tap1"))]), "scan", scan_id="s2", checkpoint=True)
    clock.tick()
    out = diff(log, "e", "s1", clock=clock)
    assert out["counts"] == {"objects": {"added": 0, "changed": 0, "removed": 1},
                             "links": {"added": 1, "changed": 0, "removed": 0}}
    assert [r["id"] for r in out["objects"]["removed"]] == ["vm2"]
    assert out["from"]["scan_id"] == "s1" and out["scans"] == ["s2"] and out["entries"] == 2
    # a time between the two: the rename is still open, and the tmp object was added after it
    mid = diff(log, "e", t1 - timedelta(seconds=1), "s2", clock=clock)
    assert mid["counts"]["objects"] == {"added": 0, "changed": 0, "removed": 1}
    first = diff(log, "e", "2026-03-01T11:00:00Z", clock=clock)
    assert {r["id"] for r in first["objects"]["added"]} == {"vm1"} and a1 == 1


def test_changed_fields_keep_first_before_and_last_after(log):
    log.record("e", Changes(objects=[Change("changed", obj("vm1", "b"), {"name": ("a", "b"), "status": ("x", "y")})]),
               "listener")
    log.clock.tick()
    log.record("e", Changes(objects=[Change("changed", obj("vm1", "c"), {"name": ("b", "c")})]), "listener")
    out = diff(log, "e", "2026-03-01T11:00:00Z", clock=log.clock)
    [row] = out["objects"]["changed"]
    assert row["fields"] == {"name": {"before": "a", "after": "c"}, "status": {"before": "x", "after": "y"}}


def test_stale_and_back_unchanged_is_nothing_but_back_changed_is_a_change(log):
    log.record("e", Changes(objects=[Change("removed", obj("vm1")), Change("removed", obj("vm2"))]), "scan",
               scan_id="s1", checkpoint=True)
    log.clock.tick()
    log.record("e", Changes(objects=[Change("added", obj("vm1")), Change("added", obj("vm2", "renamed"))]), "scan",
               scan_id="s2", checkpoint=True)
    out = diff(log, "e", "2026-03-01T11:00:00Z", clock=log.clock)
    assert out["counts"]["objects"] == {"added": 0, "changed": 1, "removed": 0}
    assert out["objects"]["changed"][0]["id"] == "vm2" and out["objects"]["changed"][0]["recreated"] is True


def test_filters_by_type_and_subtree(log):
    log.record("e", Changes(objects=[Change("added", obj("vm1")), Change("added", obj("n1", t="network") |
                                                                            {"id_path": "/e/RegionOne/n1"})],
                            links=[Change("added", link("vm1", "tap1") | {"source": "o1"}),
                                   Change("added", link("n1", "p1", "network-port"))]),
               "scan", scan_id="s1", paths={"o1": "/e/host-1/vm1"}, checkpoint=True)
    out = diff(log, "e", "2026-03-01T11:00:00Z", types=["instance"], clock=log.clock)
    assert [r["id"] for r in out["objects"]["added"]] == ["vm1"]
    assert [r["link_type"] for r in out["links"]["added"]] == ["instance-vnic"]
    sub = diff(log, "e", "2026-03-01T11:00:00Z", id_path="/e/host-1", clock=log.clock)
    assert [r["id"] for r in sub["objects"]["added"]] == ["vm1"] and len(sub["links"]["added"]) == 1


def test_unchanged_scan_leaves_only_a_small_checkpoint_and_quiet_batches_nothing(log, store):
    assert log.record("e", Changes(), "listener") is None
    seq = log.record("e", Changes(), "scan", scan_id="s9", checkpoint=True)
    docs = list(store["changes"].find({"environment": "e"}))
    assert len(docs) == 1 and docs[0]["seq"] == seq
    assert store["changes_records"].count_documents({"environment": "e"}) == 0
    import bson
    assert len(bson.encode(docs[0])) < 400


def test_large_entries_are_split_into_parts_and_read_back_whole(log, store):
    many = [Change("added", obj(f"vm{i}")) for i in range(PART_SIZE + 10)]
    log.record("e", Changes(objects=many), "scan", scan_id="big", checkpoint=True)
    assert store["changes"].count_documents({"environment": "e"}) == 1
    assert store["changes_records"].count_documents({"environment": "e"}) == 2
    out = diff(log, "e", "2026-03-01T11:00:00Z", clock=log.clock, limit=100)
    assert out["counts"]["objects"]["added"] == PART_SIZE + 10
    assert len(out["objects"]["added"]) == 100 and out["truncated"] is True


def test_bad_points_and_retention(log):
    with pytest.raises(BadPoint) as e:
        diff(log, "e", "yesterday-ish", clock=log.clock)
    assert e.value.name == "from" and "ISO 8601" in str(e.value)
    log.record("e", Changes(objects=[Change("added", obj("old"))]), "scan", scan_id="s-old", checkpoint=True)
    log.clock.tick(31 * 86400)
    log.record("e", Changes(objects=[Change("added", obj("new"))]), "scan", scan_id="s-new", checkpoint=True)
    assert log.prune("e") == 1
    out = diff(log, "e", "2026-03-01T00:00:00Z", clock=log.clock)
    assert out["complete"] is False and [r["id"] for r in out["objects"]["added"]] == ["new"]
    assert diff(log, "e", "s-new", clock=log.clock)["complete"] is True
    with pytest.raises(BadPoint):
        diff(log, "e", "s-new", "2026-03-01T00:00:00Z", clock=log.clock)
