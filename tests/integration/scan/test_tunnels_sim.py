"""Tunnels at the scale of a mesh, on the simulated cloud: each OTEP's stored tunnels are the host's
real ones, a tunnel one host lost is named on it, an unchanged rescan writes nothing, and a host
joining a full mesh rewrites the mesh document and its own objects, not every vEdge and OTEP."""

from __future__ import annotations

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.tunnel_mesh import COLLECTION, Mesh, expand, peers
from scan.controller import ScanController, ScanOptions
from simulator.model.build import add_compute
from simulator.model.plumbing import plumbing
from tests.scan_support.sim import start_in_process
from tests.scan_support.stores import sim_store


@pytest.fixture(params=["off", "on"], ids=lambda v: f"l2pop-{v}")
def cloud(request, store_uri, tmp_path):
    name = f"tun-{request.param}"
    sim = start_in_process(name, tmp_path, computes=5, instances=5, networks=3,
                           l2_population=request.param == "on")
    sim.live_model.hosts["cmp-3"].tunnel_lost = True     # an OVS restart the agent missed
    sim.live_model._changed()
    with sim_store(store_uri, sim) as store:
        yield name, sim, store


def scan(store, name) -> dict:
    result = ScanController(store, ScanOptions(env=name)).run()
    assert result.status == "completed", result.reason
    return result.report


def oteps(store, name) -> dict[str, dict]:
    return {d["host"]: d for d in store["inventory"].find({"environment": name, "type": "otep"})}


def test_stored_tunnels_are_the_hosts_real_ones_and_a_lost_one_is_named(cloud):
    name, sim, store = cloud
    report = scan(store, name)
    mesh = Mesh.from_doc(store[COLLECTION].find_one({"_id": f"{name}|vxlan"}))
    model = sim.live_model
    assert len(mesh) == len([h for h in model.hosts.values() if h.is_compute or h.is_network])
    found = oteps(store, name)
    assert set(found) == {h.name for h in model.hosts.values() if h.is_compute or h.is_network}
    for host, otep in found.items():
        real = {t.remote_ip for t in plumbing(model, host).tunnels}
        assert {ip for ip, _ in peers(otep["tunnels"], mesh)} == real, host
        assert [p["options"]["remote_ip"] for p in expand(otep["tunnels"], mesh)] == sorted(real, key=mesh.ips.index)
    lost = _lost_peer(model)
    assert [m["host"] for m in found["cmp-3"]["tunnels_missing"]] == [lost]
    assert all(not otep["tunnels_missing"] for host, otep in found.items() if host != "cmp-3")
    assert report["tunnels_missing"] == 1
    vedge = store["inventory"].find_one({"environment": name, "type": "vedge", "host": "cmp-1"})
    assert "tunnel_ports" not in vedge and vedge["tunnels"] == found["cmp-1"]["tunnels"]


def _lost_peer(model) -> str:
    """The peer cmp-3 would tunnel to first (the one its fault drops)."""
    h = model.hosts["cmp-3"]
    h.tunnel_lost = False
    try:
        return next(iter(plumbing(model, "cmp-3").tunnels)).remote_host
    finally:
        h.tunnel_lost = True


def test_unchanged_rescan_writes_nothing_and_a_joining_host_rewrites_no_peer(cloud):
    name, sim, store = cloud
    scan(store, name)
    assert sum(scan(store, name)["store_writes"].values()) == 0
    before = {h: o["_hash"] for h, o in oteps(store, name).items()}
    joined = add_compute(sim.live_model)
    report = scan(store, name)
    after = oteps(store, name)
    assert joined.name in after
    assert report["store_writes"]["tunnel_meshes"] == 1
    # l2population: no host shares a network with one that has no port yet; without it each already
    # had its tunnel to the new host (the agents build it on the endpoint's registration)
    assert {h for h in before if after[h]["_hash"] != before[h]} == set()
    if name.endswith("off"):
        mesh = Mesh.from_doc(store[COLLECTION].find_one({"_id": f"{name}|vxlan"}))
        assert all(joined.tunnel_ip in {ip for ip, _ in peers(o["tunnels"], mesh)}
                   for h, o in after.items() if h != joined.name)


def test_a_listener_rescan_of_a_host_keeps_its_missing_tunnel_named(cloud):
    from listen.apply import Applier
    from listen.plan import Plan

    name, sim, store = cloud
    scan(store, name)
    env = EnvironmentConfigs(store).get(name)
    applier = Applier(store, env, serial=True)
    try:
        applier.apply([Plan("port update", "port", "x", hosts={"cmp-3"}, host_scopes=("vedges",))])
    finally:
        applier.close()
    otep = oteps(store, name)["cmp-3"]
    assert [m["host"] for m in otep["tunnels_missing"]] == [_lost_peer(sim.live_model)]
    assert sum(scan(store, name)["store_writes"].values()) == 0    # the listener left what a scan finds


def test_hosts_that_say_their_ports_are_the_mesh_store_what_their_show_would(cloud, monkeypatch):
    """Without l2population each host is first asked whether its ports are the mesh, in a few lines:
    those that are (all but the one that lost a tunnel) are not listed, and every document is what
    reading each host's `ovs-vsctl show` whole stores."""
    from scan.fetchers.cli import ovs_show

    name, sim, store = cloud
    as_mesh, summarised = ovs_show._as_mesh, []

    def counted(ctx, host):
        found = as_mesh(ctx, host)
        if found is not None:
            summarised.append(host)
        return found

    monkeypatch.setattr(ovs_show, "_as_mesh", counted)
    scan(store, name)
    tunnelling = {h.name for h in sim.live_model.hosts.values() if h.is_compute or h.is_network}
    assert set(summarised) == (tunnelling - {"cmp-3"} if name.endswith("off") else set())
    summarised_docs = {(d["type"], d["id"]): d["_hash"] for d in store["inventory"].find({"environment": name})}

    monkeypatch.setattr(ovs_show, "_as_mesh", lambda ctx, host: None)
    store["inventory"].delete_many({"environment": name})
    scan(store, name)
    assert {(d["type"], d["id"]): d["_hash"] for d in store["inventory"].find({"environment": name})} == summarised_docs
