"""The ACI fabric derived from the model: leaves (one per 16 hosts), two spines, LLDP between them, and one
leaf port per host pNIC whose endpoint is that pNIC's MAC (upper case, as APIC stores it)."""

from __future__ import annotations

from dataclasses import dataclass, field

HOSTS_PER_LEAF = 16
SPINES = (201, 202)


@dataclass
class Endpoint:
    mac: str  # upper case
    leaf: int
    port: str  # eth1/N
    host: str
    nic: str
    vlan: int


@dataclass
class Fabric:
    leaves: list[int] = field(default_factory=list)
    endpoints: list[Endpoint] = field(default_factory=list)

    def leaf_uplinks(self, leaf: int) -> list[tuple[str, int, str]]:
        """(leaf port, spine node id, spine port) for each spine."""
        k = self.leaves.index(leaf)
        return [(f"eth1/{49 + n}", spine, f"eth1/{k + 1}") for n, spine in enumerate(SPINES)]


def build_fabric(model) -> Fabric:
    """Physical NICs of every host, in host order, each on the next free port of its leaf."""
    fabric = Fabric()
    with model.lock:
        hosts = list(model.hosts.values())
    for k, host in enumerate(hosts):
        leaf = 101 + k // HOSTS_PER_LEAF
        if leaf not in fabric.leaves:
            fabric.leaves.append(leaf)
        base = (k % HOSTS_PER_LEAF) * 3
        for n, nic in enumerate(host.pnics[:3]):
            fabric.endpoints.append(Endpoint(nic.mac.upper(), leaf, f"eth1/{base + n + 1}", host.name, nic.name,
                                             100 + n))
    return fabric
