"""Which instances can reach which, from the simulator's own model of the datapath: the reference the
path answers are checked against. It reads nothing Calipso stored and shares no code with app.topology.

A packet is in one network on one host. It moves to another host in the same network where the
datapath joins them: an overlay network by a tunnel each host holds towards the other (OVS: br-tun's
tunnel ports; Linux bridge: the VXLAN device's flood entries), a VLAN or flat network by an uplink NIC
on both hosts' bridge of its physical network. It changes network only inside a router, on the
router's host, between networks the router has an interface on (its gateway included). A running
instance is attached to the networks its domain has an interface on; a stopped one to none.
"""

from __future__ import annotations

from collections import deque

from simulator.model.entities import ROUTER_OWNERS
from simulator.model.plumbing import plumbing

TUNNELS = ("vxlan", "gre", "geneve")


class ModelDatapath:
    def __init__(self, model):
        self.m = model
        with model.lock:
            self.plumb = {h: plumbing(model, h) for h in model.hosts}
        self.nets_on = {h: {p.network_id for p in model.plumbed_ports(h)} for h in model.hosts}

    # -- where instances and routers sit
    def attached(self, instance_id: str) -> set[tuple[str, str]]:
        """(host, network) of each interface of the running domain."""
        inst = self.m.instances[instance_id]
        out = set()
        for dom in self.plumb[inst.host].domains:
            if dom.uuid == instance_id and dom.state == "running":
                out |= {(inst.host, i.network_id) for i in dom.interfaces}
        return out

    def routers(self) -> dict[str, tuple[str, set[str]]]:
        """router id -> (its host, the networks it has interfaces on, as plumbed there)."""
        out = {}
        for r in self.m.routers.values():
            if r.host is None:
                continue
            nets = {p.network_id for p in self.m.plumbed_ports(r.host)
                    if p.device_id == r.id and p.device_owner in ROUTER_OWNERS}
            out[r.id] = (r.host, nets)
        return out

    # -- how hosts are joined
    def tunnel_to(self, a: str, b: str, net_id: str) -> bool:
        """Host a sends net's traffic to host b through a tunnel of its own."""
        pa, pb = self.plumb[a], self.plumb[b]
        if self.m.params.mechanism_driver == "linuxbridge":
            net = self.m.networks[net_id]
            remote = self.m.hosts[b].tunnel_ip
            from simulator.hostview_build import _vxlan_remotes   # the flood entries `bridge fdb show` prints
            return bool(remote) and remote in _vxlan_remotes(self.m, a, net.segmentation_id)
        return any(t.remote_host == b for t in pa.tunnels) and pb is not None

    def uplinked(self, host: str, physnet: str | None) -> bool:
        h = self.m.hosts[host]
        mapped = h.bridge_mappings.get(physnet or "")
        if mapped is None:
            return False
        if self.m.params.mechanism_driver == "linuxbridge":
            return any(n.name == mapped for n in h.pnics)
        return bool(h.bridge_uplinks.get(mapped))

    def joined(self, a: str, b: str, net_id: str) -> bool:
        """The datapath carries net between hosts a and b (both ways)."""
        if net_id not in self.nets_on[a] or net_id not in self.nets_on[b]:
            return False
        if a == b:
            return True
        net = self.m.networks[net_id]
        if net.network_type in TUNNELS:
            return self.tunnel_to(a, b, net_id) and self.tunnel_to(b, a, net_id)
        return self.uplinked(a, net.physical_network) and self.uplinked(b, net.physical_network)

    # -- the walk
    def reachable(self, source: str) -> set[tuple[str, str]]:
        """Every (host, network) a packet from the source instance can be in."""
        hosts = list(self.m.hosts)
        routers = self.routers()
        seen = set(self.attached(source))
        todo = deque(seen)
        while todo:
            host, net = todo.popleft()
            nxt = {(h, net) for h in hosts if self.joined(host, h, net)}
            for rhost, rnets in routers.values():
                if rhost == host and net in rnets:
                    nxt |= {(host, n) for n in rnets}
            for s in nxt - seen:
                seen.add(s)
                todo.append(s)
        return seen

    def can_reach(self, a: str, b: str) -> bool:
        return bool(self.reachable(a) & self.attached(b))

    def router_joins(self, host: str, n1: str, n2: str) -> bool:
        return any(h == host and {n1, n2} <= nets for h, nets in self.routers().values())
