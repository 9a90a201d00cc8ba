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
from app.tunnel_mesh import COLLECTION as MESHES
from app.tunnel_mesh import Mesh, peers
from scan.controller import ScanController, ScanOptions

sim_model = pytest.importorskip("simulator.model.build")
from tests.scan_support.sim import start_in_process  # noqa: E402

VARIANTS = [(md, td, "current") for md in sim_model.MECHANISM_DRIVERS for td in sim_model.TYPE_DRIVERS
            if not (md == "linuxbridge" and td == "gre")] + [("ovs", "vxlan", "old"), ("linuxbridge", "vlan", "old")]
# what a real cloud taught (the Zed test bed): mixed network types, the tunnel IP on lo, the userspace
# datapath, host names that are not the host ids
VARIANTS += [("ovs", "vxlan", "current", "mixed"), ("ovs", "vxlan", "current", "zedlike"),
             ("linuxbridge", "vxlan", "current", "mixed"), ("ovs", "gre", "current", "mixed-B")]
EXTRA = {"mixed": {"mixed_networks": True},
         "zedlike": {"mixed_networks": True, "tunnel_style": "lo", "datapath": "netdev", "machine_names": True},
         "mixed-B": {"mixed_networks": True, "tunnel_style": "B"}}
TUNNELS = ("vxlan", "gre")
SERVICE_PROJECTS = {"service", "services"}


def dev(prefix: str, port_id: str) -> str:
    return prefix + port_id[:11]


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: "-".join(v))
def scanned(request, store_uri, tmp_path_factory):
    md, td, release = request.param[:3]
    extra = EXTRA.get(request.param[3], {}) if len(request.param) > 3 else {}
    name = "-".join(request.param)
    sim = start_in_process(name, tmp_path_factory.mktemp(name), computes=2, instances=4, networks=2,
                           mechanism_driver=md, type_driver=td, release=release, **extra)
    db = f"t_{uuid.uuid4().hex[:12]}"
    store = Store.connect(StoreLocation(f"{store_uri}{db}", "test", embedded=True))
    init_db(store)
    EnvironmentConfigs(store).add(sim.env)
    try:
        result = ScanController(store, ScanOptions(env=name)).run()
        inv = {(d["type"], d["id"]): d for d in store["inventory"].find({"environment": name})}
        links = list(store["links"].find({"environment": name}))
        cliques = list(store["cliques"].find({"environment": name}))
        meshes = {d["overlay_type"]: Mesh.from_doc(d) for d in store[MESHES].find({"environment": name})}
        yield {"meshes": meshes, "md": md, "td": td, "release": release, "model": sim.model, "result": result, "inv": inv, "links": links,
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


def test_each_otep_has_its_hosts_tunnels(scanned):
    """The stored difference from the mesh reads back as the tunnels the host has (OVS: one OTEP a host)."""
    m = scanned["model"]
    if scanned["md"] != "ovs" or scanned["td"] not in TUNNELS:
        assert not scanned["meshes"] or scanned["md"] != "ovs"
        return
    mesh = scanned["meshes"][scanned["td"]]
    assert sorted(mesh.ips) == sorted(h["tunnel_ip"] for h in m["hosts"] if set(h["roles"]) & {"compute", "network"})
    for otep in (d for (t, _), d in scanned["inv"].items() if t == "otep"):
        host = model_host(m, otep["host"])
        assert {ip for ip, _ in peers(otep["tunnels"], mesh)} == {t["remote_ip"] for t in host["plumbing"]["tunnels"]}
        assert otep["tunnels_missing"] == []


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


# ---------------------------------------------------------------------------------------------------
# The data plane of the model: where each network's traffic really leaves each host. Every link the
# scanner draws between a network and a host element must be one of these (no phantom link), and every
# instance's clique must follow them, network by network.

TUNNEL_TYPES = ("vxlan", "gre")
NET_LINKS = ("host_pnic-network", "otep-network", "provider_bridge-network", "vconnector-network")


def model_host(m, name):
    return next(h for h in m["hosts"] if h["name"] == name)


def data_nic(m, host):
    return next(p["name"] for p in model_host(m, host)["pnics"] if p["role"] in ("tunnel", "provider")
                and not (m["params"]["mixed_networks"] and p["name"] == "eth3"))


def carriers(s, host: str, net: dict) -> set[tuple[str, str]]:
    """(object type, device name) of what carries `net` off `host` in the model."""
    m, md = s["model"], s["md"]
    h = model_host(m, host)
    if net["network_type"] in TUNNEL_TYPES:
        if md == "vpp":
            return {("host_pnic", data_nic(m, host))}
        if m["params"]["tunnel_style"] == "lo":
            return {("otep", f"vxlan-{net['segmentation_id']}" if md == "linuxbridge" else "")}
        return {("host_pnic", data_nic(m, host))}
    if md == "vpp":
        return {("host_pnic", data_nic(m, host))}
    mapped = h["bridge_mappings"].get(net["physical_network"])
    if md == "linuxbridge":   # the network's bridge holds the mapped NIC, or nothing leaves the host
        return {("host_pnic", mapped)} if mapped else {("vconnector", "brq" + net["id"][:11])}
    if not mapped:
        return set()
    uplinks = h["bridge_uplinks"].get(mapped) or []
    return {("host_pnic", u) for u in uplinks} or {("provider_bridge", mapped)}


def device(doc: dict) -> tuple[str, str]:
    if doc["type"] == "otep":
        return ("otep", doc.get("tunnel_interface") or "")
    if doc["type"] == "vconnector":
        return ("vconnector", (doc.get("name") or "").removeprefix(f"{doc.get('host')}-"))
    name = doc.get("local_name") or doc.get("name") or ""
    return (doc["type"], name.split("-pnic-")[-1] if doc["type"] == "host_pnic" else name)


def bound(m) -> dict[tuple[str, str], bool]:
    return {(p["host"], p["network_id"]): True for p in m["ports"] if p.get("host")}


def test_networks_are_linked_only_where_their_traffic_leaves_a_host(scanned):
    m, inv = scanned["model"], scanned["inv"]
    nets = {n["id"]: n for n in m["networks"]}
    drawn: dict[tuple[str, str], set] = {}
    for l in scanned["links"]:
        if l["link_type"] not in NET_LINKS:
            continue
        src = inv[(l["link_type"].split("-")[0], l["source_id"])]
        key = (src["host"], l["target_id"])
        assert key in bound(m), f"phantom {l['link_type']} {l['source_id']} -> {l['target_id']}: no port there"
        assert device(src) in carriers(scanned, *key[:1], nets[key[1]]), \
            f"phantom {l['link_type']} {l['source_id']} -> {nets[key[1]]['name']} ({nets[key[1]]['network_type']})"
        drawn.setdefault(key, set()).add(device(src))
    for (host, net_id) in bound(m):
        assert drawn.get((host, net_id), set()) == carriers(scanned, host, nets[net_id]), (host, nets[net_id]["name"])


def test_datapath_links_are_real_adjacencies(scanned):
    m, inv, md = scanned["model"], scanned["inv"], scanned["md"]
    style = m["params"]["tunnel_style"]
    for l in scanned["links"]:
        lt = l["link_type"]
        src, dst = inv.get((lt.split("-")[0], l["source_id"])), inv.get((lt.split("-")[1], l["target_id"]))
        assert src is not None and dst is not None, l
        h = model_host(m, src.get("host") or dst.get("host")) if (src.get("host") or dst.get("host")) else None
        if lt == "vedge-provider_bridge":
            assert dst["name"] in h["bridge_mappings"].values()
        elif lt == "provider_bridge-host_pnic":
            assert device(dst)[1] in h["bridge_uplinks"].get(src["name"], [])
        elif lt == "otep-host_pnic" and md != "vpp":
            assert style != "lo" and device(dst)[1] == data_nic(m, h["name"]), l
        elif lt == "otep-vconnector":
            assert style == "A" and "br-mesh" in dst["id"], l
        elif lt == "vedge-host_pnic" and md == "ovs":
            assert any(device(dst)[1] in ups for ups in h["bridge_uplinks"].values()), l


def clique_of(s, focal_type, focal_id):
    return next(c for c in s["cliques"] if c["focal_point_type"] == focal_type and c["focal_point_object_id"] == focal_id)


def test_every_instance_clique_follows_its_networks_real_paths(scanned):
    m, inv, md = scanned["model"], scanned["inv"], scanned["md"]
    by_oid = {d["_id"]: d for d in inv.values()}
    nets = {n["id"]: n for n in m["networks"]}
    ports = {p["id"]: p for p in m["ports"]}
    for i in m["instances"]:
        nodes = [by_oid[n] for n in clique_of(scanned, "instance", i["id"])["nodes"] if n in by_oid]
        macs = {d.get("mac_address") for d in nodes if d["type"] == "vnic"}
        have = {device(d) for d in nodes if d["type"] in ("host_pnic", "provider_bridge", "otep", "vconnector")}
        wanted, physnets, tunnels = set(), set(), False
        for pid in i["port_ids"]:
            p, net = ports[pid], nets[ports[pid]["network_id"]]
            assert p["mac_address"] in macs, (i["name"], net["name"])
            assert ("network", net["id"]) in {(d["type"], d["id"]) for d in nodes}, (i["name"], net["name"])
            wanted |= carriers(scanned, i["host"], net)
            if net["network_type"] in TUNNEL_TYPES:
                tunnels = True
                if md == "ovs":
                    assert ("otep", "") in have, (i["name"], "no OTEP on a tunnel network's path")
            elif md == "ovs":
                br = model_host(m, i["host"])["bridge_mappings"][net["physical_network"]]
                assert ("provider_bridge", br) in have, (i["name"], "no provider bridge on a VLAN/flat path")
                physnets.add(net["physical_network"])
        assert wanted <= have, (i["name"], wanted - have)
        pnics = {x for x in have if x[0] == "host_pnic"}
        assert pnics <= wanted, (i["name"], "pNICs that carry none of its networks", pnics - wanted)
        if not tunnels:
            assert not any(x[0] == "otep" for x in have), (i["name"], "a VLAN/flat-only server through an OTEP")
        for d in nodes:
            if d["type"] == "provider_bridge":
                assert d["physical_network"] in physnets, (i["name"], "another physical network's bridge")


def test_network_cliques_reach_every_vnic_on_the_network(scanned):
    m, inv = scanned["model"], scanned["inv"]
    by_oid = {d["_id"]: d for d in inv.values()}
    vnic_by_mac = {(d["host"], (d.get("mac_address") or "").lower()): d for d in inv.values() if d["type"] == "vnic"}
    for n in m["networks"]:
        ports = [p for p in m["ports"] if p["network_id"] == n["id"] and p.get("host")
                 and (p["host"], p["mac_address"]) in vnic_by_mac]
        if not ports:
            continue
        nodes = {by_oid[x]["id"] for x in clique_of(scanned, "network", n["id"])["nodes"] if x in by_oid}
        for p in ports:
            assert vnic_by_mac[(p["host"], p["mac_address"])]["id"] in nodes, (n["name"], p["device_owner"])
        for i in m["instances"]:
            if any(ports_of := [p for p in ports if p["device_id"] == i["id"]]):
                assert i["id"] in nodes, (n["name"], i["name"])
