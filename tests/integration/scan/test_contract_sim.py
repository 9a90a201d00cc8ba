"""Contract suite: scan a small simulated cloud per mechanism driver x type driver the simulator
offers and compare inventory, links and cliques with the simulator's own model (`to_json`).

The simulator runs in this process through its server table (same protocols, real sockets);
`calipso sim` as a subprocess is used by the benchmark.
"""

from __future__ import annotations

import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions

sim_model = pytest.importorskip("simulator.model.build")
from tests.scan_support.sim import start_in_process  # noqa: E402

VARIANTS = [(md, td, "current") for md in sim_model.MECHANISM_DRIVERS for td in sim_model.TYPE_DRIVERS
            if not (md == "linuxbridge" and td == "gre")] + [("ovs", "vxlan", "old"), ("linuxbridge", "vlan", "old")]
TUNNELS = ("vxlan", "gre")
SERVICE_PROJECTS = {"service", "services"}


def dev(prefix: str, port_id: str) -> str:
    return prefix + port_id[:11]


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: f"{v[0]}-{v[1]}-{v[2]}")
def scanned(request, store_uri, tmp_path_factory):
    md, td, release = request.param
    name = f"{md}-{td}-{release}"
    sim = start_in_process(name, tmp_path_factory.mktemp(name), computes=2, instances=4, networks=2,
                           mechanism_driver=md, type_driver=td, release=release)
    db = f"t_{uuid.uuid4().hex[:12]}"
    store = Store.connect(StoreLocation(f"{store_uri}{db}", "test", embedded=True))
    init_db(store)
    EnvironmentConfigs(store).add(sim.env)
    try:
        result = ScanController(store, ScanOptions(env=name)).run()
        inv = {(d["type"], d["id"]): d for d in store["inventory"].find({"environment": name})}
        links = list(store["links"].find({"environment": name}))
        cliques = list(store["cliques"].find({"environment": name}))
        yield {"md": md, "td": td, "release": release, "model": sim.model, "result": result, "inv": inv, "links": links,
               "cliques": cliques, "name": name}
    finally:
        sim.stop()
        store.client.drop_database(db)
        store.close()


def ids(s, t):
    return {i for (typ, i) in s["inv"] if typ == t}


def link_set(s, t):
    return {(l["source_id"], l["target_id"]) for l in s["links"] if l["link_type"] == t}


def compute_ports(m):
    return [p for p in m["ports"] if p["device_owner"].startswith("compute") and p.get("host")]


def namespace_ports(m):
    return [p for p in m["ports"] if p["device_owner"] in ("network:dhcp", "network:router_interface",
                                                           "network:router_gateway") and p.get("host")]


def test_scan_completes_without_errors(scanned):
    r = scanned["result"]
    assert r.status == "completed", (r.reason, r.report.get("errors"))


def test_every_model_object_is_there_and_no_phantoms(scanned):
    m = scanned["model"]
    expect = {
        "region": {r["name"] for r in m["regions"]},
        "project": {p["id"] for p in m["projects"] if p["name"] not in SERVICE_PROJECTS and not p["is_domain"]},
        "host": {h["name"] for h in m["hosts"]},
        "network": {n["id"] for n in m["networks"]},
        "port": {p["id"] for p in m["ports"]},
        "instance": {i["id"] for i in m["instances"]},
        "vservice": {f"{n['dhcp_host']}-qdhcp-{n['id']}" for n in m["networks"] if n.get("dhcp_host") and
                     any(sn["enable_dhcp"] for sn in m["subnets"] if sn["network_id"] == n["id"])}
                    | {f"{r['host']}-qrouter-{r['id']}" for r in m["routers"] if r.get("host")},
    }
    for t, wanted in expect.items():
        assert ids(scanned, t) == wanted, t
    vedge_hosts = {scanned["inv"][k]["host"] for k in scanned["inv"] if k[0] == "vedge"}
    l2 = {a["host"] for a in m["agents"] if a["agent_type"] in ("Open vSwitch agent", "VPP agent")}
    assert vedge_hosts == ({h["name"] for h in m["hosts"]} if scanned["md"] == "vpp" else l2)
    if scanned["td"] in TUNNELS and scanned["md"] != "linuxbridge":
        assert {scanned["inv"][k]["host"] for k in scanned["inv"] if k[0] == "otep"} == vedge_hosts
    if scanned["td"] not in TUNNELS:
        assert not ids(scanned, "otep")


def test_objects_sit_under_the_right_parent(scanned):
    inv, m = scanned["inv"], scanned["model"]
    for i in m["instances"]:
        doc = inv[("instance", i["id"])]
        assert doc["parent_id"] == f"{i['host']}-instances" and doc["host"] == i["host"]
        assert doc["id_path"].endswith(f"/{i['host']}/{i['host']}-instances/{i['id']}")
    for p in m["ports"]:
        assert inv[("port", p["id"])]["parent_id"] == f"{p['network_id']}-ports"
    for h in m["hosts"]:
        assert inv[("host", h["name"])]["parent_id"] == h["zone"]
    for (t, i), d in inv.items():
        assert d["id_path"].endswith("/" + i) and d["id_path"].count("/") == d["name_path"].count("/")
        if d["parent_type"] != "environment":
            assert (d["parent_type"], d["parent_id"]) in inv, d["id_path"]


def test_instance_vnics_and_their_links(scanned):
    m, md = scanned["model"], scanned["md"]
    inst_vnic = link_set(scanned, "instance-vnic")
    by_instance = {}
    for p in compute_ports(m):
        by_instance.setdefault(p["device_id"], []).append(p)
    for i in m["instances"]:
        vnics = {t for s, t in inst_vnic if s == i["id"]}
        assert len(vnics) == len(by_instance.get(i["id"], [])), i["id"]
        if md != "vpp":
            assert vnics == {f"{i['host']}-{dev('tap', p['id'])}" for p in by_instance.get(i["id"], [])}
        macs = {scanned["inv"][("vnic", v)]["mac_address"] for v in vnics}
        assert macs == {p["mac_address"] for p in by_instance.get(i["id"], [])}
    vnic_vc = link_set(scanned, "vnic-vconnector")
    for p in compute_ports(m):
        vnic = f"{p['host']}-{dev('tap', p['id'])}"
        if md == "ovs" and p["vif_details"].get("ovs_hybrid_plug"):
            assert any(s == vnic and dev("qbr", p["id"]) in t for s, t in vnic_vc)
            assert any(dev("qbr", p["id"]) in s for s, t in link_set(scanned, "vconnector-vedge"))
        if md == "linuxbridge":
            assert any(s == vnic and t.startswith(f"{p['host']}-{dev('brq', p['network_id'])}") for s, t in vnic_vc)


def test_vservice_vnics_and_their_links(scanned):
    m = scanned["model"]
    vs_vnic = link_set(scanned, "vservice-vnic")
    assert len(vs_vnic) == len(namespace_ports(m))
    for p in namespace_ports(m):
        if p["device_owner"] == "network:dhcp":
            vs = f"{p['host']}-qdhcp-{p['network_id']}"
        else:
            vs = f"{p['host']}-qrouter-{p['device_id']}"
        targets = [t for s, t in vs_vnic if s == vs]
        assert any(scanned["inv"][("vnic", t)]["mac_address"] == p["mac_address"] for t in targets), p["id"]
        vnic = next(t for t in targets if scanned["inv"][("vnic", t)]["mac_address"] == p["mac_address"])
        assert scanned["inv"][("vnic", vnic)].get("network") == p["network_id"]
    if scanned["md"] == "ovs":
        assert {s for s, _ in link_set(scanned, "vnic-vedge")} == {t for _, t in vs_vnic}


def test_tunnels_and_pnics_reach_every_network_a_host_serves(scanned):
    m, td, md = scanned["model"], scanned["td"], scanned["md"]
    if td in TUNNELS and md != "linuxbridge":
        assert len(link_set(scanned, "vedge-otep")) == len(ids(scanned, "otep"))
    pnic_host = {i: scanned["inv"][("host_pnic", i)]["host"] for i in ids(scanned, "host_pnic")}
    served = {(pnic_host[s], t) for s, t in link_set(scanned, "host_pnic-network")}
    for p in m["ports"]:
        if p.get("host"):
            assert (p["host"], p["network_id"]) in served, (p["host"], p["network_id"])


CHAINS = {  # the link types of an instance's clique, by the clique type the variant selects
    ("ovs", "tunnel"): {"instance-vnic", "vnic-vconnector", "vconnector-vedge", "vedge-otep", "otep-vconnector",
                        "vconnector-host_pnic", "host_pnic-network"},
    ("ovs", "physical"): {"instance-vnic", "vnic-vconnector", "vconnector-vedge", "vedge-host_pnic", "host_pnic-network"},
    ("linuxbridge", "tunnel"): {"instance-vnic", "vnic-vconnector", "vconnector-otep", "otep-host_pnic",
                                "host_pnic-network"},
    ("linuxbridge", "physical"): {"instance-vnic", "vnic-vconnector", "vconnector-host_pnic", "host_pnic-network"},
    ("vpp", "tunnel"): {"instance-vnic", "vnic-vconnector", "vconnector-vedge", "vedge-host_pnic", "host_pnic-network"},
    ("vpp", "physical"): {"instance-vnic", "vnic-vconnector", "vconnector-vedge", "vedge-host_pnic", "host_pnic-network"},
}


def expected_instance_chain(md: str, td: str) -> set[str]:
    return CHAINS[(md, "tunnel" if td in TUNNELS else "physical")]


def test_each_focal_object_has_one_clique_within_its_networks(scanned):
    inv, m = scanned["inv"], scanned["model"]
    inv_by_oid = {d["_id"]: d for d in inv.values()}
    by_focal = {}
    for c in scanned["cliques"]:
        by_focal.setdefault((c["focal_point_type"], c["focal_point_object_id"]), []).append(c)
    assert all(len(v) == 1 for v in by_focal.values())
    for i in m["instances"]:
        c = by_focal[("instance", i["id"])][0]
        types = {l["link_type"] for l in c["links_detailed"]}
        nets = set(inv[("instance", i["id"])]["network"])
        assert "instance-vnic" in types and not c["truncated"]
        assert all(l["attributes"].get("network", next(iter(nets))) in nets for l in c["links_detailed"])
        assert types == expected_instance_chain(scanned["md"], scanned["td"]), (scanned["name"], types)
        node_types = {inv_by_oid[n]["type"] for n in c["nodes"] if n in inv_by_oid}
        assert {"instance", "vnic", "host_pnic", "network"} <= node_types
    for vs in ids(scanned, "vservice"):
        c = by_focal[("vservice", vs)][0]
        assert {"vservice-vnic", "host_pnic-network"} <= {l["link_type"] for l in c["links_detailed"]}
    for n in m["networks"]:
        if any(p["network_id"] == n["id"] and p.get("host") for p in m["ports"]):
            c = by_focal[("network", n["id"])][0]
            types = {l["link_type"] for l in c["links_detailed"]}
            assert "host_pnic-network" in types
            # (no VPP network clique type ships: the generic chain stops at the pNICs there)
            if scanned["md"] != "vpp" and any(p["network_id"] == n["id"] and p["device_owner"].startswith("compute")
                                              for p in m["ports"]):
                assert {"instance-vnic", "vnic-vconnector"} <= types
            assert all(l["attributes"].get("network", n["id"]) == n["id"] for l in c["links_detailed"])
