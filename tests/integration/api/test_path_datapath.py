"""Every instance pair's path on scanned simulated clouds (OVS vxlan, OVS vlan, Linux bridge vxlan), checked
against an independent walk over the simulator's own datapath (tests.scan_support.datapath_walk): the
answer is "found" exactly when a packet could go, and every found path is one a packet could take
(inside one network per hop, hosts joined where the model joins them, networks changed only in a
router that has both, never through an instance). The clouds get an isolated network, a two-NIC
server bridging it and net1 (a VM, not a router) and a stopped server.
"""

from __future__ import annotations

import itertools
import uuid

import pytest
from bson import ObjectId

from app.store.init import init_db
from app.store.store import Store, StoreLocation
from app.cli.path_cmd import render
from app.topology.neighbours import path_between
from app.tunnel_mesh import compact, expand, mesh_of
from tests.scan_support.datapath_walk import ModelDatapath

VARIANTS = [("ovs", "vxlan"), ("ovs", "vlan"), ("linuxbridge", "vxlan"), ("linuxbridge", "vlan"),
            ("ovs", "vxlan", "mixed")]   # mixed: a VLAN provider network (its own NIC) beside the VXLAN ones


def _extend(model) -> None:
    """An isolated network with a server, a two-NIC server on it and net1, a stopped server on net1."""
    net1 = next(n for n in model.networks.values() if n.name == "net1")
    computes = sorted(h for h, v in model.hosts.items() if v.is_compute)
    iso = model.create_network("isolated", project_id=net1.project_id)
    model.create_subnet(iso.id, "10.9.0.0/24", name="isolated-subnet")
    model.create_server("vm-iso", networks=[iso.id], host=computes[0], project_id=net1.project_id)
    model.create_server("vm-two-nics", networks=[net1.id, iso.id], host=computes[-1], project_id=net1.project_id)
    stopped = model.create_server("vm-stopped", networks=[net1.id], host=computes[-1], project_id=net1.project_id)
    model.stop_server(stopped.id)
    vlan = next((n for n in model.networks.values() if n.network_type == "vlan" and n.name == "provider-vlan"), None)
    if vlan is not None:   # a VLAN-only server on each compute: VLAN to VLAN goes by the wire, never by OTEPs
        for i, host in enumerate(computes):
            model.create_server(f"vm-vlan-{i + 1}", networks=[vlan.id], host=host, project_id=net1.project_id)


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: "-".join(v))
def cloud(request, store_uri, tmp_path_factory):
    from app.envconfig.repository import EnvironmentConfigs
    from scan.controller import ScanController, ScanOptions
    from tests.scan_support.sim import start_in_process

    md, td, *mixed = request.param
    name = "-".join(("dp", *request.param))
    store = Store.connect(StoreLocation(f"{store_uri}dp_{uuid.uuid4().hex[:10]}", "path test", embedded=True))
    init_db(store)
    sim = start_in_process(name, tmp_path_factory.mktemp(name), computes=2, instances=4, networks=2,
                           mechanism_driver=md, type_driver=td, mixed_networks=bool(mixed))
    try:
        _extend(sim.live_model)
        EnvironmentConfigs(store).add(sim.env)
        result = ScanController(store, ScanOptions(env=name)).run()
        assert result.status == "completed", (result.status, result.reason, result.report.get("errors"))
        walk = ModelDatapath(sim.live_model)
    finally:
        sim.stop()
    yield store, name, walk
    store.client.drop_database(store.db.name)
    store.close()


def impossible(p: dict, walk: ModelDatapath, a: str, b: str) -> list[str]:
    """What in a found path no packet could do, by the model."""
    bad = []
    nodes, hops = p["nodes"], p["hops"]
    for n in nodes[1:-1]:
        if n["type"] == "instance":
            bad.append(f"goes through instance {n['name']}")
    starts = {net for _, net in walk.attached(a)}
    ends = {net for _, net in walk.attached(b)}
    if not hops or hops[0]["network_id"] not in starts or hops[-1]["network_id"] not in ends:
        bad.append("does not leave and arrive by the ends' own networks")
    last_host = nodes[0]["host"]
    for i, hop in enumerate(hops):
        net, y = hop["network_id"], nodes[i + 1]
        if net is None:
            bad.append(f"hop {i} carries no network")
            continue
        if walk.m.networks[net].network_type in ("vlan", "flat") and "otep" in (y["type"], hop["link_type"]):
            bad.append(f"hop {i}: a {walk.m.networks[net].network_type} network goes through a tunnel endpoint")
        if y["host"] and y["type"] not in ("instance", "vservice") and net not in walk.nets_on[y["host"]]:
            bad.append(f"hop {i}: {net} is not on {y['host']}")
        if y["host"] and last_host and y["host"] != last_host:
            if not walk.joined(last_host, y["host"], net):
                bad.append(f"hop {i}: {last_host} and {y['host']} are not joined for {net}")
            if walk.m.networks[net].network_type in ("vxlan", "gre") and hop["link_type"] != "otep-otep":
                bad.append(f"hop {i}: an overlay crosses hosts by {hop['link_type']}, not a tunnel")
        if i and hop["link_type"] == hops[i - 1]["link_type"] == "otep-otep":
            bad.append(f"hop {i}: an OTEP relays from one tunnel into another")
        if i and net != hops[i - 1]["network_id"]:
            x = nodes[i]
            if x["type"] != "vservice" or not walk.router_joins(x["host"], hops[i - 1]["network_id"], net):
                bad.append(f"hop {i}: changes network at {x['type']} {x['name']}, not in a router joining both")
        last_host = y["host"] or last_host
    return bad


def mixed_vms(store, env) -> list:
    """The servers a mixed cloud adds on its VLAN provider network (none elsewhere)."""
    return list(store["inventory"].find({"environment": env, "type": "instance", "name": {"$regex": "^vm-vlan"}}))


def test_every_instance_pair_against_the_model(cloud):
    store, env, walk = cloud
    insts = sorted(store["inventory"].find({"environment": env, "type": "instance"}), key=lambda d: d["name"])
    assert len(insts) == 7 + len(mixed_vms(store, env))
    found = missing = 0
    problems = {}
    for a, b in itertools.combinations(insts, 2):
        p = path_between(store, env, a["id"], b["id"])
        expect = walk.can_reach(a["id"], b["id"])
        assert (p["source"]["name"], p["target"]["name"]) == (a["name"], b["name"])
        if p["found"] != expect:
            problems[(a["name"], b["name"])] = f"found={p['found']}, the model says {expect}: {p.get('reason')}"
        elif p["found"]:
            found += 1
            bad = impossible(p, walk, a["id"], b["id"])
            if bad:
                problems[(a["name"], b["name"])] = bad
        else:
            missing += 1
            assert p["reason"] and "None" not in p["reason"]
    assert problems == {}
    assert found >= 6 and missing >= 6   # both kinds of answer were checked


def test_isolated_network_says_why(cloud):
    store, env, walk = cloud
    by_name = {d["name"]: d for d in store["inventory"].find({"environment": env, "type": "instance"})}
    p = path_between(store, env, by_name["vm-1"]["id"], by_name["vm-iso"]["id"])
    assert p["found"] is False
    assert "isolated" in p["reason"] and "vm-1" in p["reason"]
    text = render({**p, "environment": env})   # what `calipso path` prints: names, never `None <id>`
    assert "instance vm-1 on" in text and "instance vm-iso on" in text and "None" not in text
    assert text.splitlines()[1] == "no path: " + p["reason"]
    stopped = path_between(store, env, by_name["vm-stopped"]["id"], by_name["vm-1"]["id"])
    assert stopped["found"] is False and "vm-stopped has no vNIC on the datapath" in stopped["reason"]


def test_network_graph_shows_the_tunnels_it_rides(cloud):
    from app.topology.graph import build
    from app.topology.source import find_clique, hover_spec, load_clique

    store, env, walk = cloud
    net1 = store["inventory"].find_one({"environment": env, "type": "network", "name": "net1"})
    data = load_clique(store, find_clique(store, env, object_id=net1["id"]))
    graph = build(data.focal, data.objects, data.links, hover_spec(store))
    tunnels = [l for l in graph["links"] if l.get("derived")]
    oteps = {n["id"]: n["host"] for n in graph["nodes"] if n["type"] == "otep"}
    if walk.m.networks[net1["id"]].network_type != "vxlan":
        assert tunnels == []
        return
    assert tunnels and all(l["link_type"] == "otep-otep" and l["networks"] == ["net1"] for l in tunnels)
    for l in tunnels:
        assert walk.joined(oteps[l["source"]], oteps[l["target"]], net1["id"])
    assert store["links"].count_documents({"environment": env, "link_type": "otep-otep"}) == 0   # derived, not stored


def test_a_missing_tunnel_breaks_the_path_and_says_so(cloud):
    from app.inventory import Inventory

    store, env, walk = cloud
    by_name = {d["name"]: d for d in store["inventory"].find({"environment": env, "type": "instance"})}
    a, b = by_name["vm-1"]["id"], by_name["vm-2"]["id"]
    p = path_between(store, env, a, b)
    tunnel = next((h for h in p["hops"] if h["link_type"] == "otep-otep"), None)
    if tunnel is None:   # a VLAN cloud crosses hosts on the wire, never by tunnels
        assert all(walk.m.networks[h["network_id"]].network_type == "vlan" for h in p["hops"])
        return
    i = p["hops"].index(tunnel)
    near, far = (store["inventory"].find_one({"_id": ObjectId(p["nodes"][j]["id"])}) for j in (i, i + 1))
    inv = Inventory(store)
    mesh = mesh_of(store, far)
    field = "tunnels" if isinstance(far.get("tunnels"), dict) else "ports"   # OVS: the mesh form; Linux bridge: whole
    kept = {o["id"]: o[field] for o in (near, far)}

    def ports_of(otep: dict) -> list[dict]:
        return expand(otep["tunnels"], mesh) if field == "tunnels" else list(otep["ports"])

    def store_tunnels(otep: dict, ports: list[dict]) -> None:   # in the form the scan stored
        value = compact(ports, mesh, own_ip=otep["ip_address"]) if field == "tunnels" else ports
        inv.set_fields(env, "otep", otep["id"], {field: value})

    try:   # the far end loses its tunnel back: a packet could go, its answer could not
        store_tunnels(far, [t for t in ports_of(far) if t["options"]["remote_ip"] != near["ip_address"]])
        back = path_between(store, env, a, b)
        assert back["found"] is False
        assert f"{near['name']} has a tunnel to {far['name']}" in back["reason"] and "has none back" in back["reason"]
        store_tunnels(near, [])   # and the near end has none at all
        gone = path_between(store, env, a, b)
        assert gone["found"] is False and f"{near['name']} has no tunnel to {far['name']}" in gone["reason"]
    finally:
        for o in (near, far):
            inv.set_fields(env, "otep", o["id"], {field: kept[o["id"]]})
    assert path_between(store, env, a, b)["found"]


def test_the_external_network_through_the_routers_gateway(cloud):
    store, env, walk = cloud
    vm = store["inventory"].find_one({"environment": env, "type": "instance", "name": "vm-1"})
    ext = next(n for n in walk.m.networks.values() if n.external)
    p = path_between(store, env, vm["id"], ext.id)
    assert p["found"], p.get("reason")
    router = next(i for i, n in enumerate(p["nodes"]) if n["type"] == "vservice")
    assert p["nodes"][router + 1]["name"].startswith("qg-")            # out by the gateway
    assert {h["network_id"] for h in p["hops"][router:]} == {ext.id}
    assert p["hops"][-1]["segment"] == "flat on external" and p["nodes"][-1]["type"] == "network"
