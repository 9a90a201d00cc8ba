"""The pieces of a distributed scan that need no broker: splitting hosts, the work message, the
temporary collection's parts and markers, merging a worker's result, and which scans may be distributed."""

from __future__ import annotations

import secrets

import mongomock
import pytest

from app.errors import CalipsoError
from app.packed import PackedDicts
from app.store.store import Store
from scan.access.calls import CallStats
from scan.distributed import workspace
from scan.distributed.chunk import BadWork, Work
from scan.distributed.coordinator import Coordinator, Distribution, part_count, split
from scan.distributed.memos import ScanMemos
from scan.engine import Engine
from scan.fetchers.base import Memo, ScanContext
from scan.hierarchy import load
from scan.options import ScanOptions, options_from_request
from scan.runner import SerialRunner


def mock_store() -> Store:
    client = mongomock.MongoClient()
    return Store(client, client["calipso"])


def test_split_keeps_every_host_once_in_near_equal_parts():
    hosts = [f"h{i:03d}" for i in range(11)]
    parts = split(hosts, 4)
    assert [len(p) for p in parts] == [3, 3, 3, 2]
    assert sum(parts, []) == hosts
    assert split(hosts[:2], 8) == [["h000"], ["h001"]]      # never an empty part
    assert split([], 3) == []


def test_parts_come_in_whole_rounds_of_the_workers_slots():
    """2 workers doing 2 parts at once: 1,001 hosts in parts of at most 200 are 8 parts, not 6 (with 6, one
    worker did the last two while the other stood idle)."""
    assert part_count(1001, 4, 200) == 8
    assert part_count(800, 4, 200) == 4 and part_count(801, 4, 200) == 8
    assert part_count(7, 4, 200) == 4                  # a small cloud: one part per slot (split caps it at the hosts)
    assert part_count(5000, 6, 200) == 30


def test_parts_of_one_scan_share_their_reads_of_the_cloud_and_only_those():
    memos = ScanMemos(keep=30.0, clock=lambda: now[0])
    now = [0.0]
    reads = []

    def servers():
        reads.append("servers")
        return {"h1": ["vm1"]}
    with memos.of_scan("scan-a") as cloud:
        part1 = Memo(cloud=cloud)
        assert part1.once("servers", servers, cloud=True) == {"h1": ["vm1"]}
        part1.once("by host", lambda: {"made from": "part 1"})
    with memos.of_scan("scan-a") as cloud:
        part2 = Memo(cloud=cloud)
        assert part2.once("servers", servers, cloud=True) == {"h1": ["vm1"]}
        assert part2.peek("servers") == {"h1": ["vm1"]}
        assert part2.once("by host", lambda: {"made from": "part 2"}) == {"made from": "part 2"}   # the part's own
    assert reads == ["servers"]
    with memos.of_scan("scan-b") as cloud:               # another scan reads the cloud again
        Memo(cloud=cloud).once("servers", servers, cloud=True)
    assert reads == ["servers", "servers"]
    now[0] = 29.0
    memos.sweep()
    assert memos.scans() == ["scan-a", "scan-b"]
    now[0] = 31.0
    memos.sweep()
    assert memos.scans() == []                          # no part for 30 s: the worker holds nothing


def test_a_scans_reads_stay_while_one_of_its_parts_runs():
    now = [0.0]
    memos = ScanMemos(keep=1.0, clock=lambda: now[0])
    with memos.of_scan("s"):
        with memos.of_scan("s"):
            pass
        now[0] = 10.0
        memos.sweep()
        assert memos.scans() == ["s"]
    memos.sweep()
    assert memos.scans() == ["s"]
    now[0] = 11.0
    memos.sweep()
    assert memos.scans() == []


def test_work_message_round_trip_and_bad_input():
    w = Work(scan="s1", env="e", chunk=3, tasks=(("ScanHost", "node-1"),), max_calls=8, per_host=2)
    assert Work.parse(w.body()) == w
    with pytest.raises(BadWork, match="version 1"):
        Work.parse({"scan": "s1"})
    with pytest.raises(BadWork, match="without a valid"):
        Work.parse({**w.body(), "chunk": "three"})
    with pytest.raises(BadWork, match="without a valid"):
        Work.parse({k: v for k, v in w.body().items() if k != "tasks"})


def test_a_large_result_is_stored_in_parts_and_read_back_whole(monkeypatch):
    monkeypatch.setattr(workspace, "PART_BYTES", 1000)
    ws = workspace.Workspace(mock_store(), "6b14beafd9770f2f1750ef64")
    docs = [{"id": f"p{i}", "type": "port", "a.b": i, "ports": PackedDicts([{"name": f"x{i}", "n": {"k": i}}]),
             "blob": secrets.token_hex(300)} for i in range(40)]
    assert ws.put_result(0, "w1", {"docs": workspace.encode_docs(docs), "errors": {"node.1": ["down"]}})
    marker = ws.done()[0]
    assert marker["parts"] > 3 and marker["worker"] == "w1"
    back = ws.result(marker)
    assert back["docs"][5] == {**docs[5], "ports": [{"name": "x5", "n": {"k": 5}}]}   # keys decoded, list unpacked
    assert back["errors"] == {"node.1": ["down"]}


def test_the_first_result_of_a_part_wins_and_the_losers_parts_go():
    store = mock_store()
    ws = workspace.Workspace(store, "6b14beafd9770f2f1750ef64")
    assert ws.put_result(1, "w1", {"docs": []})
    assert not ws.put_result(1, "w2", {"docs": [{"id": "late"}]})
    assert ws.done()[1]["worker"] == "w1"
    assert ws.coll.count_documents({"of": {"$regex": "^chunk\\.1\\.w2"}}) == 0
    ws.drop()
    assert workspace.PREFIX + "6b14beafd9770f2f1750ef64" not in store.db.list_collection_names()


def test_two_attempts_of_one_part_in_one_worker_leave_the_winners_parts():
    """A redelivered part can run twice at once in one worker (--parts 2, a broker cut): the losing
    attempt's clean-up must not take the winning attempt's parts."""
    store = mock_store()
    ws = workspace.Workspace(store, "6b14beafd9770f2f1750ef64")
    assert ws.put_result(2, "w1", {"docs": workspace.encode_docs([{"id": "first"}])})
    ws.done_marker = lambda chunk: None   # the second attempt looked before the first one's marker was in
    assert not ws.put_result(2, "w1", {"docs": workspace.encode_docs([{"id": "second"}])})
    assert [d["id"] for d in ws.result(ws.done()[2])["docs"]] == ["first"]


def test_sweep_drops_only_old_leftovers():
    from datetime import datetime, timedelta, timezone

    from bson import ObjectId
    store = mock_store()
    old = ObjectId.from_datetime(datetime.now(timezone.utc) - timedelta(days=2))
    new = ObjectId()
    for oid in (old, new):
        store.db[workspace.PREFIX + str(oid)].insert_one({"_id": "base"})
    store.db["scan_work_not-an-id"].insert_one({})
    assert workspace.sweep(store) == [workspace.PREFIX + str(old)]
    assert sorted(store.db.list_collection_names()) == sorted([workspace.PREFIX + str(new), "scan_work_not-an-id"])


def test_a_workers_result_merges_into_the_scan_as_if_found_here():
    ctx = ScanContext(env={"name": "e"})
    network = {"id": "net-1", "type": "network", "name": "n", "hosts": ["node-1"]}
    ctx.found.add(network)
    engine = Engine(ctx, load(), SerialRunner(), lambda docs: None)
    stats = CallStats()
    c = Coordinator(mock_store(), Distribution(), "6b14beafd9770f2f1750ef64", ScanOptions(env="e"), stats)
    c._merge(engine, {"docs": [{"id": "vm-1", "type": "instance", "host": "node-2"}],
                      "patches": [{"type": "network", "id": "net-1", "fields": {"hosts": ["node-2"], "mtu": 1450}}],
                      "errors": {"node-2": ["CliFetchVedgesOvs under host node-2: timed out"]},
                      "failed_paths": ["/e/node-2"], "calls": {"SSH": {"calls": 7, "seconds": 1.5}},
                      "ssh_connections": 2})
    assert ("instance", "vm-1") in engine.placed and ctx.found.get("vm-1", "instance")["host"] == "node-2"
    assert network["hosts"] == ["node-1", "node-2"] and network["mtu"] == 1450   # lists appended by both sides
    assert ctx.errors.as_dict() == {"node-2": ["CliFetchVedgesOvs under host node-2: timed out"]}
    assert engine.failed_paths == ["/e/node-2"] and c.ssh_connections == 2
    assert stats.as_dict()["SSH"]["calls"] == 7


@pytest.mark.parametrize("kw", [{"object_id": "vm-1"}, {"object_type": "instance"}, {"links_only": True},
                                {"cliques_only": True}, {"monitoring_setup_only": True}])
def test_only_a_whole_inventory_may_be_distributed(kw):
    with pytest.raises(CalipsoError, match="--distributed"):
        ScanOptions(env="e", distributed=True, **kw)
    assert ScanOptions(env="e", distributed=True, inventory_only=True).distributed


def test_a_scan_request_asks_for_a_distributed_scan():
    assert options_from_request({"environment": "e", "distributed": True}).distributed
    assert not options_from_request({"environment": "e"}).distributed
