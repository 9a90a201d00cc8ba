"""Floating IP events: `floatingip.create.end`, `.update.end` (associate, disassociate), `.delete.end`.

A floating IP changes what a full scan stores in three places: its own port on the external network
(Neutron, region level), the router's gateway device in the router's namespace (the address as a
/32 on `qg-…`) and the instance's `network_info` (Nova). The payload names the router and the port
only while the floating IP is associated: after a disassociation or a delete both are null, so the
plan also carries the address, and the applier finds who showed it in the store (listen.apply).
"""

from __future__ import annotations

from listen.envelope import Notification
from listen.handlers.base import first, opt
from listen.plan import Plan


class FloatingIpEvent:
    def __init__(self, action: str):
        self.action = action

    def plan(self, n: Notification) -> Plan:
        fid = first(n, ("floatingip", "id"), ("floatingip_id",), ("id",))
        fip = opt(n, "floatingip") or {}
        router, port = fip.get("router_id"), fip.get("port_id")
        linked = bool(router and port) and self.action != "delete"
        p = Plan(f"floating ip {self.action}", "floatingip", fid, region=True,
                 host_scopes=("vservices", "instances"))   # the router's namespace, the instance's network_info
        if router:
            p.devices.add(router)
        if port:
            p.ports.add(port)
        if fip.get("floating_ip_address"):
            p.floating[fip["floating_ip_address"]] = linked
        return p


class FloatingIpAdd(FloatingIpEvent):
    def __init__(self):
        super().__init__("add")


class FloatingIpUpdate(FloatingIpEvent):
    def __init__(self):
        super().__init__("update")


class FloatingIpDelete(FloatingIpEvent):
    def __init__(self):
        super().__init__("delete")
