"""SR-IOV: hosts with NIC Switch agents get an SR-IOV vEdge whose ports are the physical
functions with their VFs; a server on a direct port gets a vNIC linked to that vEdge by VF MAC."""

from __future__ import annotations

import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions

pytest.importorskip("simulator.model.build")
from tests.scan_support.sim import start_in_process  # noqa: E402


def test_sriov_vedges_vfs_and_direct_port_vnics(store_uri, tmp_path):
    sim = start_in_process("sriov", tmp_path / "sim", computes=2, instances=0, sriov=True, type_driver="vlan")
    try:
        m = sim.live_model
        net = next(iter(m.networks.values()))
        port = m.create_port(net.id, vnic_type="direct")
        vm = m.create_server("sriov-vm", ports=[port.id])
        store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        res = ScanController(store, ScanOptions(env="sriov")).run()
        assert res.status == "completed", (res.reason, res.report.get("errors"))
        agents = {a["host"]: a for a in sim.model["agents"] if a["agent_type"] == "NIC Switch agent"}
        vedges = {d["host"]: d for d in store["inventory"].find({"environment": "sriov", "type": "vedge",
                                                                  "vedge_type": "SRIOV"})}
        assert set(vedges) == set(agents)
        for host, v in vedges.items():
            pfs = {pf for pfs in agents[host]["configurations"]["device_mappings"].values() for pf in pfs}
            assert {p["name"] for p in v["ports"]} == pfs and all(p["VFs"] for p in v["ports"])
        links = list(store["links"].find({"environment": "sriov"}))
        vnic = next(l["target_id"] for l in links if l["link_type"] == "instance-vnic" and l["source_id"] == vm.id)
        to_vedge = [l for l in links if l["link_type"] == "vnic-vedge" and l["source_id"] == vnic]
        assert len(to_vedge) == 1 and to_vedge[0]["target_id"] == f"{m.instances[vm.id].host}-SRIOV"
        assert to_vedge[0]["source_label"] == m.ports[port.id].mac_address
        pf_links = {(l["source_id"], l["target_id"].split("-")[0]) for l in links if l["link_type"] == "vedge-host_pnic"}
        assert {(f"{h}-SRIOV", pf) for h, v in vedges.items() for pf in (p["name"] for p in v["ports"])} <= pf_links
    finally:
        sim.stop()
