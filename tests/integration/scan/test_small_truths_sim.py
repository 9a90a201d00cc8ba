"""Small truths of real two-node clouds (issue 25), on simulated clouds that have them: the tunnel IP on a
veth whose peer is in another namespace, hosts without ethtool, container runtimes' bridges, a stopped
server and a two-NIC server; and, on Linux bridge, the VXLAN UDP port the endpoints table leaves at 0."""

from __future__ import annotations

import uuid

import pytest

from app.store.init import init_db
from app.store.store import Store, StoreLocation


@pytest.fixture(scope="module", params=["ovs", "linuxbridge"])
def scanned(request, store_uri, tmp_path_factory):
    from app.envconfig.repository import EnvironmentConfigs
    from scan.controller import ScanController, ScanOptions
    from tests.scan_support.sim import start_in_process

    md = request.param
    name = f"truths-{md}"
    store = Store.connect(StoreLocation(f"{store_uri}st_{uuid.uuid4().hex[:10]}", "truths", embedded=True))
    init_db(store)
    sim = start_in_process(name, tmp_path_factory.mktemp(name), computes=2, instances=2, networks=2,
                           mechanism_driver=md, type_driver="vxlan", tunnel_style="veth", ethtool=False,
                           container_bridges=True)
    model = sim.live_model
    try:
        net_ids = [n.id for n in model.networks.values() if not n.external][:2]
        two = model.create_server("vm-two-nics", networks=net_ids, host="cmp-1")
        stopped = model.create_server("vm-stopped", networks=net_ids[:1], host="cmp-2")
        model.stop_server(stopped.id)
        EnvironmentConfigs(store).add(sim.env)
        result = ScanController(store, ScanOptions(env=name)).run()
    finally:
        sim.stop()
    yield store, name, model, result, two, stopped
    store.client.drop_database(store.db.name)
    store.close()


def _docs(store, env, obj_type):
    return list(store["inventory"].find({"environment": env, "type": obj_type}))


def test_hosts_without_ethtool_scan_clean_with_speed_from_sysfs(scanned):
    store, env, model, result, *_ = scanned
    assert result.status == "completed" and result.exit_code == 0, result.report.get("errors")
    warned = result.report.get("warnings") or {}
    assert warned and all("ethtool is not installed" in m[0] for m in warned.values())
    pnics = {(p["host"], p["name"]): p for p in _docs(store, env, "host_pnic")}
    for host in model.hosts.values():
        for nic in host.pnics:
            if (host.name, nic.name) in pnics:
                assert pnics[(host.name, nic.name)]["Speed"] == f"{nic.speed_mbps}Mb/s"
                assert pnics[(host.name, nic.name)]["Duplex"] == "Full"


def test_otep_underlay_is_the_veth_itself(scanned):
    store, env, model, *_ = scanned
    oteps = _docs(store, env, "otep")
    assert oteps
    for o in oteps:
        assert o["underlay"] == [f"{o['host'][:11]}-tun"] and o["interface"] == o["underlay"][0]
        assert not any(u.startswith("if") for u in o["underlay"])


def test_vxlan_udp_port_is_the_devices(scanned):
    store, env, model, *_ = scanned
    want = 8472 if model.params.mechanism_driver == "linuxbridge" else 4789
    assert {o["udp_port"] for o in _docs(store, env, "otep")} == {want}


def test_container_bridges_are_not_vconnectors(scanned):
    store, env, *_ = scanned
    names = {v["bridge_name"] for v in _docs(store, env, "vconnector")}
    assert names and not names & {"cni-podman0", "docker0"}


def test_stopped_servers_vnics_are_absent_and_off_the_datapath(scanned):
    store, env, model, _, _, stopped = scanned
    vnics = [v for v in _docs(store, env, "vnic") if v.get("instance_id") == stopped.id]
    assert vnics and all(v.get("absent") is True for v in vnics)
    links = list(store["links"].find({"environment": env, "$or": [{"source_id": {"$in": [v["id"] for v in vnics]}},
                                                                   {"target_id": {"$in": [v["id"] for v in vnics]}}]}))
    assert [(l["link_type"], l["state"]) for l in links] == [("instance-vnic", "down")] * len(vnics)
    running = [v for v in _docs(store, env, "vnic") if v.get("vnic_type") == "instance_vnic" and not v.get("absent")]
    assert running and all(v.get("instance_id") != stopped.id for v in running)


def test_every_nic_mac_is_on_the_instance(scanned):
    store, env, model, _, two, _ = scanned
    doc = store["inventory"].find_one({"environment": env, "type": "instance", "id": two.id})
    assert sorted(doc["mac_addresses"]) == sorted(model.ports[p].mac_address for p in two.port_ids)
    assert len(doc["mac_addresses"]) == 2
