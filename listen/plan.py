"""What a handler decides an event means for the inventory: a Plan, carried out by listen.apply.

A handler never writes. It names the object the event is about and the anchors that locate
what may have changed (networks, subnets, ports, devices, hosts); the applier turns anchors into
partial rescans with the scanner's own fetchers, so the result is what a full scan would store.
That makes every handler idempotent: replaying an event rescans the same scope again.
"""

from __future__ import annotations

from dataclasses import dataclass, field


#: what of a host shows a DHCP or router port: its namespaces, the bridge and vEdge its device is on
#: (not the instances, whose `virsh dumpxml` calls are the most of a host's rescan)
NAMESPACE_SCOPES = ("vservices", "vconnectors", "vedges")


@dataclass
class Plan:
    action: str                     # "instance add", "port delete", ... (for messages)
    object_type: str                # what the event is about
    object_id: str
    region: bool = False            # rescan networks and ports (Neutron objects at region level)
    hosts: set[str] = field(default_factory=set)      # hosts whose vservices/instances/vconnectors/vedges to rescan
    networks: set[str] = field(default_factory=set)   # anchors: every host with a port on them is rescanned
    subnets: set[str] = field(default_factory=set)
    ports: set[str] = field(default_factory=set)
    devices: set[str] = field(default_factory=set)    # instance or router ids owning ports
    floating: dict[str, bool] = field(default_factory=dict)   # floating IP address -> associated now
    instance_status: dict | None = None               # fields set on the instance (power/suspend events)
    skip: str = ""                  # non-empty: nothing to change, and why (e.g. an instance still building)
    host_scopes: tuple[str, ...] | None = None   # what of a host to rescan (listen.apply.HOST_SCOPES); None = all
    hosts_once_up: bool = False     # the hosts change only once the agents bring `ports` up: not rescanned before

    def merge(self, other: "Plan") -> None:
        """Fold another event's plan into this one (a batch is rescanned once)."""
        self.region = self.region or other.region
        for name in ("hosts", "networks", "subnets", "ports", "devices", "floating"):
            getattr(self, name).update(getattr(other, name))
        self.hosts_once_up = self.hosts_once_up and other.hosts_once_up
        if self.host_scopes is not None:
            self.host_scopes = None if other.host_scopes is None else tuple(
                dict.fromkeys(self.host_scopes + other.host_scopes))
