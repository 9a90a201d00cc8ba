"""Neutron events (spec §3.5): networks, subnets, ports, routers and router interfaces.

Each names the Neutron object and its anchors; the applier rescans Neutron's objects and
every host where a port of the affected networks is bound (DHCP and router namespaces,
vEdge ports and tunnels live there).
"""

from __future__ import annotations

from listen.envelope import Notification
from listen.handlers.base import first, need, opt
from listen.plan import NAMESPACE_SCOPES, Plan


def _publisher(n: Notification) -> set[str]:
    host = n.publisher_host
    return {host} if host else set()


class NetworkEvent:
    def __init__(self, action: str):
        self.action = action

    def plan(self, n: Notification) -> Plan:
        nid = first(n, ("network", "id"), ("network_id",), ("id",))
        return Plan(f"network {self.action}", "network", nid, region=True, networks={nid})


class NetworkAdd(NetworkEvent):
    def __init__(self):
        super().__init__("add")


class NetworkUpdate(NetworkEvent):
    def __init__(self):
        super().__init__("update")


class NetworkDelete(NetworkEvent):
    def __init__(self):
        super().__init__("delete")


class SubnetEvent:
    def __init__(self, action: str):
        self.action = action

    def plan(self, n: Notification) -> Plan:
        sid = first(n, ("subnet", "id"), ("subnet_id",), ("id",))
        net = opt(n, "subnet", "network_id")
        if self.action != "delete":
            net = need(n, "subnet", "network_id")
        return Plan(f"subnet {self.action}", "subnet", sid, region=True, hosts=_publisher(n),
                    networks={net} if net else set(), subnets={sid})


class SubnetAdd(SubnetEvent):
    def __init__(self):
        super().__init__("add")


class SubnetUpdate(SubnetEvent):
    def __init__(self):
        super().__init__("update")


class SubnetDelete(SubnetEvent):
    def __init__(self):
        super().__init__("delete")


class PortEvent:
    def __init__(self, action: str):
        self.action = action

    def plan(self, n: Notification) -> Plan:
        pid = first(n, ("port", "id"), ("port_id",), ("id",))
        if self.action == "add":
            need(n, "port", "network_id")
        port = opt(n, "port") or {}
        p = Plan(f"port {self.action}", "port", pid, region=True, ports={pid})
        if port.get("network_id"):
            p.networks.add(port["network_id"])
        if port.get("device_id"):
            p.devices.add(port["device_id"])
        if port.get("binding:host_id"):
            p.hosts.add(port["binding:host_id"])
        return p


class PortAdd(PortEvent):
    def __init__(self):
        super().__init__("add")


class PortUpdate(PortEvent):
    def __init__(self):
        super().__init__("update")


class PortDelete(PortEvent):
    def __init__(self):
        super().__init__("delete")


class RouterEvent:
    def __init__(self, action: str):
        self.action = action

    def plan(self, n: Notification) -> Plan:
        rid = first(n, ("router", "id"), ("router_id",), ("id",))
        p = Plan(f"router {self.action}", "router", rid, region=True, hosts=_publisher(n), devices={rid},
                 host_scopes=NAMESPACE_SCOPES)   # a router lives in namespaces: the instances are not rescanned
        gw = opt(n, "router", "external_gateway_info")
        if isinstance(gw, dict) and gw.get("network_id"):
            p.networks.add(gw["network_id"])
        return p


class RouterAdd(RouterEvent):
    def __init__(self):
        super().__init__("add")


class RouterUpdate(RouterEvent):
    def __init__(self):
        super().__init__("update")


class RouterDelete(RouterEvent):
    def __init__(self):
        super().__init__("delete")


class InterfaceEvent:
    def __init__(self, action: str):
        self.action = action

    def plan(self, n: Notification) -> Plan:
        rid = need(n, "router_interface", "id")
        port_id = need(n, "router_interface", "port_id")
        p = Plan(f"router interface {self.action}", "router", rid, region=True, hosts=_publisher(n),
                 devices={rid}, ports={port_id}, host_scopes=NAMESPACE_SCOPES, hosts_once_up=self.action == "add")
        subs = opt(n, "router_interface", "subnet_ids") or []
        if opt(n, "router_interface", "subnet_id"):
            subs = list(subs) + [opt(n, "router_interface", "subnet_id")]
        p.subnets.update(s for s in subs if isinstance(s, str))
        if opt(n, "router_interface", "network_id"):
            p.networks.add(opt(n, "router_interface", "network_id"))
        return p


class InterfaceAdd(InterfaceEvent):
    def __init__(self):
        super().__init__("add")


class InterfaceDelete(InterfaceEvent):
    def __init__(self):
        super().__init__("delete")
