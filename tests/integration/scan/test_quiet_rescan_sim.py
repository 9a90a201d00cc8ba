"""The simulated cloud at rest churns as a real one does (`calipso sim --heartbeat`): its agents and
services report, and a rescan of it writes nothing and logs only its checkpoint."""

from __future__ import annotations

import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.inventory import Inventory
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions
from simulator.heartbeats import Heartbeats
from tests.scan_support.sim import start_in_process

ENV = "quietsim"


@pytest.fixture
def cloud(store_uri, tmp_path):
    sim = start_in_process(ENV, tmp_path / "sim", computes=2, instances=2)
    store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
    init_db(store)
    EnvironmentConfigs(store).add(sim.env)
    yield sim, store
    sim.stop()
    store.client.drop_database(store.db.name)


def scan(store: Store) -> ScanController:
    c = ScanController(store, ScanOptions(env=ENV, serial=True))
    res = c.run()
    assert res.status == "completed", res.reason
    return c


def test_heartbeats_move_in_the_cloud_and_a_rescan_writes_nothing(cloud):
    sim, store = cloud
    scan(store)
    agents = {d["id"]: d for d in Inventory(store).of_type(ENV, "network_agent")}
    beats = Heartbeats(sim.live_model)
    for stamp in ("2031-01-01T00:00:30Z", "2031-01-01T00:01:00Z"):
        beats.beat(stamp)
        again = scan(store)
        assert sum(again.report["store_writes"].values()) == 0, again.report["store_writes"]
        assert again.report["changes"]["objects"] == {"added": 0, "changed": 0, "removed": 0}
    # the cloud did move: a real change on an agent stores its current heartbeat with it
    agent = next(a for a in sim.live_model.agents.values() if a.agent_type == "DHCP agent")
    with sim.live_model.lock:
        agent.configurations["networks"] = 7
        sim.live_model._changed()
    scan(store)
    stored = Inventory(store).get(ENV, f"{agent.binary}-{agent.id}", "network_agent")
    assert stored["configurations"]["networks"] == 7 and str(stored["heartbeat_timestamp"]).startswith("2031-01-01")
    assert str(agents[stored["id"]]["heartbeat_timestamp"]).startswith("2030")
