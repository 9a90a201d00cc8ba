"""A rescan without --clear converges on the simulated cloud: what the cloud lost is stale after
one scan and gone after the next, with its links and cliques; everything else stays put."""

from __future__ import annotations

import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions

pytest.importorskip("simulator.model.build")
from tests.scan_support.sim import start_in_process  # noqa: E402


def test_deleted_server_is_retired_in_two_scans(store_uri, tmp_path):
    sim = start_in_process("conv", tmp_path / "sim", computes=2, instances=3)
    try:
        store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)

        def scan():
            res = ScanController(store, ScanOptions(env="conv")).run()
            assert res.status == "completed", res.reason
            return {(d["type"], d["id"]): d for d in store["inventory"].find({"environment": "conv"})}

        first = scan()
        victim = next(iter(sim.live_model.instances.values()))
        victim_ports = list(victim.port_ids)
        vnic_ids = {i for (t, i), d in first.items() if t == "vnic" and d.get("instance_id") == victim.id}
        assert vnic_ids
        sim.live_model.delete_server(victim.id)
        second = scan()
        assert set(second) == set(first)                                     # nothing missing in between
        stale = {k for k, d in second.items() if d.get("stale_since")}
        assert ("instance", victim.id) in stale and {("vnic", v) for v in vnic_ids} <= stale
        gone_ports = victim_ports
        # only the server and what hung on its ports (vNICs, port, per-port bridge) went stale
        assert all(victim.id in k[1] or any(p[:11] in k[1] for p in gone_ports) for k in stale), sorted(stale)
        third = scan()
        assert ("instance", victim.id) not in third and not ({("vnic", v) for v in vnic_ids} & set(third))
        assert not list(store["links"].find({"environment": "conv", "source_id": victim.id}))
        assert not list(store["cliques"].find({"environment": "conv", "focal_point_object_id": victim.id}))
        others = {i.id for i in sim.live_model.instances.values()}
        assert others <= {i for (t, i) in third if t == "instance"}
        assert not [d for d in third.values() if d.get("stale_since")]
    finally:
        sim.stop()
