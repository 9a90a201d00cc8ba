"""ACI: with `aci_enabled`, switches and switch ports come from the simulated APIC and link to
the host pNICs by MAC; leaf uplinks meet spine downlinks; switch cliques are built."""

from __future__ import annotations

import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions

pytest.importorskip("simulator.apic.server")
from tests.scan_support.sim import start_in_process  # noqa: E402


def test_aci_fabric_is_scanned_and_linked(store_uri, tmp_path):
    sim = start_in_process("aci", tmp_path / "sim", computes=2, instances=2, aci=True)
    try:
        store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
        init_db(store)
        assert sim.env["aci_enabled"] and any(s["name"] == "ACI" for s in sim.env["configuration"])
        EnvironmentConfigs(store).add(sim.env)
        res = ScanController(store, ScanOptions(env="aci")).run()
        assert res.status == "completed", (res.reason, res.report.get("errors"))
        inv = list(store["inventory"].find({"environment": "aci"}))
        switches = {d["id"]: d for d in inv if d["type"] == "switch"}
        assert any(d["role"] == "leaf" for d in switches.values())
        assert any(d["role"] == "spine" for d in switches.values())
        pnics = [d for d in inv if d["type"] == "host_pnic"]
        sp = {d["id"]: d for d in inv if d["type"] == "switch_pnic"}
        links = list(store["links"].find({"environment": "aci"}))
        hostlinks = {(l["source_id"], l["target_id"]) for l in links if l["link_type"] == "host_pnic-switch_pnic"}
        for p in pnics:
            assert any(s == p["id"] and sp[t]["mac_address"] == p["mac_address"] for s, t in hostlinks), p["id"]
        for d in sp.values():
            assert d["parent_id"] in switches and d["name_path"].startswith("/aci/Switches/")
        uplinks = [l for l in links if l["link_type"] == "switch_pnic-switch_pnic"]
        assert uplinks and all(sp[l["source_id"]]["role"] == "uplink" and sp[l["target_id"]]["role"] == "downlink"
                               for l in uplinks)
        assert res.report["cliques"].get("switch", 0) == len(switches)
    finally:
        sim.stop()
