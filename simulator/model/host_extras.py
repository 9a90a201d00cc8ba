"""Devices real hosts have that the agents did not make, added to a host's plumbing
(simulator.model.plumbing): the tunnel IP on a veth whose peer is in another namespace (a
two-node test bed's `c1-tun@if5`), and container runtimes' bridges (cni-podman0, docker0)."""

from __future__ import annotations

from simulator.model.ids import stable_mac

UNDERLAY_NETNS = "underlay"


def veth_name(host: str) -> str:
    """The tunnel veth of a host: `<host>-tun`, cut to what a device name may hold (15 characters)."""
    return f"{host[:11]}-tun"


def veth_underlay(b) -> str | None:
    """With tunnel_style veth, the tunnel IP's device (a veth whose peer is in UNDERLAY_NETNS); else None."""
    h = b.h
    if b.p.tunnel_style != "veth" or not h.tunnel_ip or b.p.mechanism_driver == "vpp":
        return None
    name = veth_name(h.name)
    b.dev(name, "veth", ip=h.tunnel_ip, prefix=h.tunnel_prefix, peer="tun0", peer_netns=UNDERLAY_NETNS)
    return name


def container_bridges(b) -> list[tuple[str, str, list[str]]]:
    """Podman's cni-podman0 (one container's veth in it) and an idle docker0, on compute hosts: their devices
    added, and (name, MAC, members) of each bridge returned."""
    if not b.p.container_bridges or not b.h.is_compute:
        return []
    podman = b.dev("cni-podman0", "bridge", stable_mac(b.seed, f"{b.h.name}/cni-podman0", "ce:9a:10"),
                   ip="10.88.0.1", prefix=16)
    member = b.dev("veth5f3e1a07", "veth", master="cni-podman0", peer="eth0", peer_netns="netns-podman-1")
    docker = b.dev("docker0", "bridge", stable_mac(b.seed, f"{b.h.name}/docker0", "02:42:ac"), ip="172.17.0.1",
                   prefix=16, state="DOWN")
    return [("cni-podman0", podman.mac, [member.name]), ("docker0", docker.mac, [])]
