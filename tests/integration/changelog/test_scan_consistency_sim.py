"""Readers never see a blank or half-written inventory: a `clear` scan builds beside the old data
and switches at the end; a scan that dies part-way leaves the old picture and claims nothing."""

from __future__ import annotations

import threading
import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.inventory import Inventory
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan import controller as scan_controller
from scan.controller import ScanController, ScanOptions

pytest.importorskip("simulator.model.build")
from tests.scan_support.sim import start_in_process  # noqa: E402

ENV = "consist"


@pytest.fixture
def cloud(store_uri, tmp_path):
    sim = start_in_process(ENV, tmp_path / "sim", computes=2, instances=4)
    store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
    init_db(store)
    EnvironmentConfigs(store).add(sim.env)
    yield sim, store
    sim.stop()
    store.client.drop_database(store.db.name)


def counts(store: Store) -> tuple[int, int]:
    return (Inventory(store).count(ENV),
            store.db.command("count", "links", query={"environment": ENV})["n"])


def test_readers_polling_during_a_clear_scan_never_see_fewer_objects_than_before_or_after(cloud):
    sim, store = cloud
    assert ScanController(store, ScanOptions(env=ENV)).run().status == "completed"
    victim = next(iter(sim.live_model.instances.values()))
    sim.live_model.delete_server(victim.id)
    assert ScanController(store, ScanOptions(env=ENV)).run().status == "completed"   # the victim is stale now
    stale = {d["id"] for d in store["inventory"].find({"environment": ENV, "stale_since": {"$exists": True}})}
    assert victim.id in stale
    before = counts(store)
    seen: list[tuple[int, int]] = []
    done = threading.Event()

    def poll():
        while not done.is_set():
            seen.append(counts(store))

    reader = threading.Thread(target=poll)
    reader.start()
    try:
        res = ScanController(store, ScanOptions(env=ENV, clear=True)).run()
    finally:
        done.set()
        reader.join()
    after = counts(store)
    assert res.status == "completed", res.reason
    assert len(seen) > 3
    assert min(o for o, _ in seen) >= min(before[0], after[0]), (before, after, sorted(set(seen)))
    assert min(n for _, n in seen) >= min(before[1], after[1]), (before, after, sorted(set(seen)))
    # clear keeps its meaning: nothing the scan did not see is carried over, stale or not
    left = {d["id"] for d in store["inventory"].find({"environment": ENV})}
    assert not (stale & left) and not store["inventory"].find_one({"environment": ENV, "stale_since": {"$exists": True}})
    assert after[0] == before[0] - len(stale)


def test_a_scan_that_dies_part_way_leaves_the_old_picture_and_claims_nothing(cloud, monkeypatch):
    sim, store = cloud
    first = ScanController(store, ScanOptions(env=ENV))
    assert first.run().status == "completed"
    scanned_at = EnvironmentConfigs(store).get(ENV)["last_scanned"]
    snapshot = sorted((d["type"], d["id"], d.get("_hash")) for d in store["inventory"].find({"environment": ENV}))
    links = sorted(d["_id"] for d in store["links"].find({"environment": ENV}))
    sim.live_model.delete_server(next(iter(sim.live_model.instances.values())).id)

    class Broken:
        def find(self, idx):
            raise RuntimeError("the store went away")

    monkeypatch.setattr(scan_controller, "LINK_FINDERS", [*scan_controller.LINK_FINDERS, Broken])
    for clear in (False, True):
        res = ScanController(store, ScanOptions(env=ENV, clear=clear)).run()
        assert res.status == "failed" and "the store went away" in res.reason
        assert sorted((d["type"], d["id"], d.get("_hash")) for d in store["inventory"].find({"environment": ENV})) \
            == snapshot
        assert sorted(d["_id"] for d in store["links"].find({"environment": ENV})) == links
        assert EnvironmentConfigs(store).get(ENV)["last_scanned"] == scanned_at
    assert [d["scan_id"] for d in store["changes"].find({"environment": ENV})] == [first.sid]


def test_a_first_scan_that_fails_leaves_the_environment_unscanned(cloud, monkeypatch):
    _, store = cloud

    class Broken:
        def find(self, idx):
            raise RuntimeError("bug in a link finder")

    monkeypatch.setattr(scan_controller, "LINK_FINDERS", [Broken])
    res = ScanController(store, ScanOptions(env=ENV)).run()
    assert res.status == "failed"
    assert not EnvironmentConfigs(store).get(ENV).get("scanned")
    assert Inventory(store).count(ENV) == 0
