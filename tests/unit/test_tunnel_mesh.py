"""A host's tunnel ports stored as its difference from the mesh: what a client reads back is what the
host had, a peer joining leaves the stored form alone, and a tunnel one side lacks is named."""

from __future__ import annotations

import bson

from app.tunnel_mesh import Mesh, compact, count, expand, missing, peers, port_name, tunnel_peers

OPTS = {"df_default": "true", "egress_pkt_mark": "0", "in_key": "flow", "out_key": "flow"}


def ip(k: int) -> str:
    return f"172.16.{k // 250}.{k % 250 + 2}"


def port(local: str, remote: str, **extra) -> dict:
    name = port_name("vxlan", remote)
    return {"name": name, "interface": name, "type": "vxlan",
            "options": dict(sorted({**OPTS, "local_ip": local, "remote_ip": remote, **extra}.items()))}


def mesh(n: int) -> Mesh:
    return Mesh("vxlan", [(ip(k), f"cmp-{k}") for k in range(n)])


def full(n: int, me: int, skip=()) -> list[dict]:
    return [port(ip(me), ip(k)) for k in range(n) if k != me and k not in skip]


def test_a_whole_mesh_reads_back_as_the_ports_the_host_had():
    ports = full(40, 3)
    t = compact(ports, mesh(40))
    assert expand(t, mesh(40)) == ports
    assert count(t, mesh(40)) == 39
    assert expand(t, mesh(40), 10, 12) == ports[10:12]     # a page is built alone


def test_stored_form_does_not_grow_with_the_mesh_and_a_joining_peer_changes_nothing():
    small, large = compact(full(10, 3), mesh(10)), compact(full(1000, 3), mesh(1000))
    assert small == large and len(bson.encode({"t": large})) < 400
    assert compact(full(1001, 3), mesh(1001)) == large     # a host joined, this one tunnels to it too


def test_odd_ports_and_tunnels_outside_the_mesh_are_kept_whole():
    ports = full(20, 0)
    ports[4] = port(ip(0), ip(5), csum="true")              # a port of its own kind
    ports.append(port(ip(0), "10.9.9.9"))                   # a stale endpoint Neutron no longer lists
    flow = {"name": "vxlan-flow", "interface": "vxlan-flow", "type": "vxlan",
            "options": {"key": "flow", "remote_ip": "flow"}}
    ports.append(flow)
    t = compact(ports, mesh(20))
    assert sorted(map(str, expand(t, mesh(20)))) == sorted(map(str, ports))
    assert {ip for ip, _ in peers(t, mesh(20))} == {ip(k) for k in range(1, 20)} | {"10.9.9.9", "flow"}


def test_l2population_keeps_only_the_peers_it_has():
    ports = [port(ip(0), ip(k)) for k in (4, 7)]
    t = compact(ports, mesh(100))
    assert t["only"] == [ip(4), ip(7)] and expand(t, mesh(100)) == ports
    assert list(peers(t, mesh(100))) == [(ip(4), "cmp-4"), (ip(7), "cmp-7")]


def test_a_tunnel_missing_on_one_host_is_named_there():
    m = mesh(6)
    full_mesh = {ip(k): compact(full(6, k, skip={2} if k == 4 else ()), m) for k in range(6)}
    lacks = missing(full_mesh, m, {})
    assert lacks[ip(4)] == [ip(2)] and all(not v for k, v in lacks.items() if k != ip(4))
    # l2population: 1 and 2 share a network (2 has a port to 1), 1 lost its port to 2; 3 shares none
    pairs = {1: [2], 2: [1], 3: []}
    l2 = {ip(k): compact([port(ip(k), ip(p)) for p in pairs[k] if (k, p) != (1, 2)], m) for k in pairs}
    lacks = missing(l2, m, {ip(k): True for k in pairs})
    assert lacks == {ip(1): [ip(2)], ip(2): [], ip(3): []}


def test_peers_of_either_stored_form_are_the_same():
    m, ports = mesh(8), full(8, 2)
    new = {"type": "otep", "tunnels": compact(ports, m)}
    old = {"type": "otep", "ports": ports}
    assert tunnel_peers(new, m) == tunnel_peers(old, m) == [(ip(k), f"cmp-{k}") for k in range(8) if k != 2]
