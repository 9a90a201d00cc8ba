"""The acceptance run's checks on recorded data: the real Zed cloud of tests/fixtures/openstack-zed scanned by
Calipso (its outputs replayed behind the scanner's clients) and compared with that cloud's own recorded REST
answers and host commands, as `make acceptance` compares a live bed. Then one thing at a time is made wrong
(a link the datapath lacks, a link left out, a clique short of a node, an impossible path, an object too
many) and the checks must say which."""

from __future__ import annotations

import functools
import json
import os
import subprocess

import pytest

from app.envconfig.repository import EnvironmentConfigs
from scan.controller import ScanController, ScanOptions
from tests.acceptance import cliquecheck, linkcheck, objects, pathcheck, scanning
from tests.acceptance.cloud import Cloud
from tests.acceptance.datapath import HostFacts, build
from tests.fixtures import ZED
from tests.scan_support.zed import ENV, zed_clients

CLI, API = ZED / "cli", ZED / "api"
VM1, VM2 = "544716d7-d703-4f86-a60c-801a01f64b4d", "b1484376-582d-489b-a1e1-084401a863fe"


def recorded_host() -> HostFacts:
    read = lambda name: (CLI / name).read_text()  # noqa: E731
    facts = HostFacts("compute1", links_json=read("ip_-d_-j_link_show.txt"), local_ip="127.0.0.1",
                      ovs_interfaces=read("ovs-vsctl_list_interface.txt"), fdb=read("bridge_fdb_show.txt"))
    for bridge in read("ovs-vsctl_list-br.txt").split():
        facts.ovs_ports[bridge] = read(f"ovs-vsctl_list-ports_{bridge}.txt").split()
    for ns in read("ip_netns_list.txt").split("\n"):
        if ns.split():
            name = ns.split()[0]
            facts.namespaces[name] = read(f"ip_netns_exec_{name}_ip_address_show.txt")
    facts.domains = [read(f"virsh_dumpxml_instance-0000000{i}.txt") for i in (1, 2)]
    return facts


def recorded_cloud() -> Cloud:
    body = lambda name, key: json.loads((API / name).read_text())[key]  # noqa: E731
    servers = [{"id": s["id"], "name": s["name"], "status": s["status"], "host": s["OS-EXT-SRV-ATTR:host"]}
               for s in body("nova__GET__v2.1_servers_detail__all_tenants-1.json", "servers")]
    ports = [{"id": p["id"], "network_id": p["network_id"], "mac": p["mac_address"], "device_owner": p["device_owner"],
              "device_id": p["device_id"], "host": p["binding:host_id"], "status": p["status"]}
             for p in body("neutron__GET__v2.0_ports.json", "ports")]
    networks = {n["id"]: {k: n.get(k) for k in ("id", "name", "provider:network_type", "provider:physical_network",
                                                "provider:segmentation_id", "router:external")}
                for n in body("neutron__GET__v2.0_networks.json", "networks")}
    routers = [{"id": r["id"], "name": r["name"]} for r in body("neutron__GET__v2.0_routers.json", "routers")]
    agents = [{"agent_type": a["agent_type"], "host": a["host"], "alive": a["alive"], "configurations": a["configurations"]}
              for a in body("neutron__GET__v2.0_agents.json", "agents")]
    return Cloud(servers, ports, networks, routers, agents)


@pytest.fixture(scope="module")
def scanned(store_uri):
    """The recorded cloud scanned into its own database, then again unchanged: (docs, links, cliques, store
    URI, the second scan's report)."""
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    uri = f"{store_uri}acc_recorded"
    store = Store.connect(StoreLocation(uri, "acceptance checks", embedded=True))
    try:
        init_db(store)
        EnvironmentConfigs(store).add(dict(ENV))
        res = ScanController(store, ScanOptions(env="zed", serial=True), clients_factory=zed_clients()).run()
        assert res.status == "completed", res.reason
        q = {"environment": "zed"}
        found = (list(store["inventory"].find(q)), list(store["links"].find(q)), list(store["cliques"].find(q)), uri)
        again = ScanController(store, ScanOptions(env="zed", serial=True), clients_factory=zed_clients()).run()
        yield found + (again.report,)
    finally:
        store.client.drop_database("acc_recorded")
        store.close()


def carriers() -> dict:
    return {"compute1": {"tunnel_devices": ["lo"], "uplinks": {"physnet1": [], "external": []}}}


def test_the_recorded_cloud_passes_every_check(scanned):
    docs, links, cliques, uri, _ = scanned
    cloud, dp = recorded_cloud(), build([recorded_host()])
    rows, notes = objects.compare(objects.expected(cloud, {"compute1": recorded_host()}), objects.found(docs))
    assert all(r.ok for r in rows) and not notes, notes
    rows, notes = linkcheck.check(docs, links, dp, carriers())
    assert all(r.ok for r in rows) and not notes, notes
    by_type = {r.measure.split(":")[0]: r.measure for r in rows}
    for lt in ("instance-vnic", "vnic-vconnector", "vconnector-vedge", "vnic-vedge", "vservice-vnic", "vedge-otep",
               "vedge-provider_bridge", "otep-network"):
        assert lt in by_type and "0 not checkable" in by_type[lt], (lt, by_type.get(lt))
    rows, notes = cliquecheck.check(cloud, docs, cliques)
    assert [r.value for r in rows] == ["2/2", "3/3", "3/3"] and not notes, notes
    ask = functools.partial(scanning.path_answer, run=functools.partial(
        subprocess.run, env={**os.environ, "CALIPSO_MONGO_URI": uri}))
    answers = scanning.path_answers("zed", [VM1, VM2], ask)
    assert answers[tuple(sorted((VM1, VM2)))]["found"]
    rows, notes = pathcheck.check(cloud, dp, docs, answers)
    assert [r.value for r in rows] == ["1/1", 0], notes


def test_a_link_the_datapath_lacks_and_one_left_out_are_both_named(scanned):
    docs, links, _, _, _ = scanned
    dp = build([recorded_host()])
    moved = next(l for l in links if l["link_type"] == "vnic-vconnector")
    other_bridge = next(d for d in docs if d["type"] == "vconnector" and d["id"] != moved["target_id"])
    kept = [l for l in links if l is not moved and l["link_type"] != "vconnector-vedge"]
    kept.append(dict(moved, target_id=other_bridge["id"]))
    rows, notes = linkcheck.check(docs, kept, dp, carriers())
    values = {r.measure.split(":")[0]: r.value for r in rows}
    assert values["vnic-vconnector"] == "1 / 1"          # the moved link is not real, its true one is missing
    assert values["vconnector-vedge"] == "0 / 3"
    assert any("not joined in the datapath" in n for n in notes)


def test_a_clique_short_of_its_tunnel_endpoint_is_counted(scanned):
    docs, _, cliques, _, _ = scanned
    otep = next(d["_id"] for d in docs if d["type"] == "otep")
    short = [dict(c, nodes=[n for n in c["nodes"] if n != otep]) if c["focal_point_object_id"] == VM1 else c
             for c in cliques]
    rows, notes = cliquecheck.check(recorded_cloud(), docs, short)
    assert rows[0].value == "1/2" and not rows[0].ok and "otep" in notes[0]


def test_a_path_through_an_instance_and_a_wrong_no_path_are_caught(scanned):
    docs, _, _, _, _ = scanned
    cloud, dp = recorded_cloud(), build([recorded_host()])
    node = lambda t, i: next({"type": d["type"], "id": d["id"], "name": d.get("name")} for d in docs  # noqa: E731
                             if d["type"] == t and d["id"] == i)
    vnics = [d for d in docs if d["type"] == "vnic" and d.get("instance_id") == VM1]
    through_vm2 = {"found": True, "nodes": [node("instance", VM1), node("vnic", vnics[0]["id"]),
                                            node("instance", VM2), node("instance", VM1)]}
    rows, _ = pathcheck.check(cloud, dp, docs, {(VM1, VM2): through_vm2})
    assert rows[1].value >= 2 and not rows[1].ok      # the instance hop, and vm2 -> vm1 not joined directly
    rows, notes = pathcheck.check(cloud, dp, docs, {(VM1, VM2): {"found": False}})
    assert rows[0].value == "0/1" and "no path" in notes[0]


def test_the_walk_finds_no_way_between_networks_no_router_joins():
    cloud, dp = recorded_cloud(), build([recorded_host()])
    graph = pathcheck.walk_graph(cloud, dp)
    assert pathcheck.reachable(graph, cloud, VM1, VM2)
    isolated = Cloud(cloud.servers, [p for p in cloud.ports if not p["device_owner"].startswith("network:router")],
                     cloud.networks, cloud.routers, cloud.agents)
    vm1_net = {p["network_id"] for p in cloud.ports if p["device_id"] == VM1}
    apart = Cloud(cloud.servers, [p for p in isolated.ports if not (p["device_id"] == VM2 and p["network_id"] in vm1_net)],
                  cloud.networks, cloud.routers, cloud.agents)
    assert not pathcheck.reachable(pathcheck.walk_graph(apart, dp), apart, VM1, VM2)
    assert pathcheck.reachable(pathcheck.walk_graph(cloud, dp), cloud, VM1, VM2)


def test_a_container_bridge_stored_as_a_vconnector_is_a_phantom(scanned):
    docs, _, _, _, _ = scanned
    extra = docs + [{"type": "vconnector", "id": "compute1-cni-podman0", "host": "compute1", "bridge_name": "cni-podman0"}]
    rows, notes = objects.compare(objects.expected(recorded_cloud(), {"compute1": recorded_host()}), objects.found(extra))
    row = next(r for r in rows if r.measure.startswith("vconnector"))
    assert row.value == "0 / 1" and "cni-podman0" in notes[0]


def test_an_unchanged_rescan_of_the_recorded_cloud_writes_nothing(scanned):
    assert {"inventory", "links", "cliques"} <= set(scanned[4]["store_writes"])   # and tunnel_meshes, where tunnels are
    rows = scanning.rescan_rows(scanned[4])
    assert [(r.value, r.ok) for r in rows] == [(0, True), (0, True)]
