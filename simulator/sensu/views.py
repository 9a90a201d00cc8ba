"""Host views as the monitored hosts' checks see them: the model's view, plus the host's local state
and the faults set on it (pNIC link down, OVS daemons gone, DHCP's dnsmasq gone)."""

from __future__ import annotations

import dataclasses

from simulator.sensu.state import SensuState

HOST_FAULTS = ("pnic-down", "ovs-down", "dhcp-down")


def _down(link):
    return dataclasses.replace(link, state="DOWN", flags=("NO-CARRIER",) + tuple(f for f in link.flags
                                                                                 if f != "LOWER_UP"),
                               ethtool=dataclasses.replace(link.ethtool, link_detected=False) if link.ethtool else None)


class LocalViews:
    """Wraps a view resolver (simulator.ssh.service.ViewCache): same interface, views with local state."""

    def __init__(self, inner, state: SensuState, conditions):
        self.inner, self.state, self.conditions = inner, state, conditions
        self._ips: tuple[int, dict[str, str]] = (-1, {})

    def ip_up(self, ip: str) -> bool:
        """Is `ip` held by a host on a link that is up (with that host's faults applied)?"""
        model = self.inner.model
        generation, ips = self._ips
        if generation != model.generation:
            ips = {}
            for name in model.hosts:
                view = self.inner(name)
                for link in view.links if view else []:
                    for inet in link.inet:
                        ips.setdefault(inet.address, name)
            self._ips = (model.generation, ips)
        holder = ips.get(ip)
        view = self(holder) if holder else None
        held = [l for l in view.links if any(i.address == ip for i in l.inet)] if view else []
        return bool(held) and all(l.state in ("UP", "UNKNOWN") for l in held)

    def __getattr__(self, name):
        return getattr(self.inner, name)

    def __call__(self, name: str):
        view = self.inner(name)
        if view is None:
            return None
        local = self.state.host(view.name)
        faults = frozenset(k for k in HOST_FAULTS if self.conditions.has(view.name, k))
        local.faults = faults
        if local.neighbours is None and getattr(self.inner, "model", None) is not None:
            local.neighbours = lambda ns, model=self.inner.model: neighbours(model, ns)
            local.peer_up = self.ip_up
        links = view.links
        if "pnic-down" in faults:
            physical = [l.name for l in links if l.kind == "physical"]
            data_plane = set(physical[1:])
            links = [_down(l) if l.name in data_plane else l for l in links]
            bridges = {l.master for l in links if l.name in data_plane and l.master}
            links = [_down(l) if l.name in bridges and l.kind == "bridge" else l for l in links]
        return dataclasses.replace(view, links=links, local=local)


def neighbours(model, namespace: str) -> list[tuple[str, str]]:
    """(ip, mac) of the running instances' ports on the network of a DHCP namespace: what its ARP
    table holds once they asked for their lease."""
    if not namespace.startswith("qdhcp-"):
        return []
    out = []
    for port in model.ports_of_network(namespace[len("qdhcp-"):]):
        inst = model.instances.get(port.device_id) if port.device_owner.startswith("compute") else None
        if inst is not None and inst.vm_state == "active":
            out += [(ip["ip_address"], port.mac_address) for ip in port.fixed_ips if ip.get("ip_address")]
    return out
