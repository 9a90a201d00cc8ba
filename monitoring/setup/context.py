"""What a setup function sees: the environment, lookups into the scanned objects, and the Check it returns."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Check:
    """One check to render: on `host`, from template `client_check_<check_type>.json`, with `values`."""

    host: str
    check_type: str
    values: dict


@dataclass
class SetupContext:
    env: dict
    objects: dict[tuple[str, str], dict] = field(default_factory=dict)   # (type, id) -> document
    links: list[dict] = field(default_factory=list)
    check_types: frozenset[str] = frozenset()   # check types with a template for this environment

    @property
    def vpp(self) -> bool:
        return "VPP" in (self.env.get("mechanism_drivers") or [])

    def get(self, obj_type: str, obj_id: str) -> dict | None:
        return self.objects.get((obj_type, obj_id))

    def has(self, check_type: str) -> bool:
        return check_type in self.check_types

    def dhcp_of_network(self, network_id: str) -> dict | None:
        """The DHCP vservice serving a network (its namespace is where a vNIC's ARP entry shows)."""
        index = self.__dict__.setdefault("_dhcp", None)
        if index is None:
            index = {}
            for (t, _), d in sorted(self.objects.items()):
                if t == "vservice" and d.get("service_type") == "dhcp":
                    nets = d.get("network") or []
                    for n in nets if isinstance(nets, list) else [nets]:
                        index.setdefault(n, d)
            self.__dict__["_dhcp"] = index
        return index.get(network_id)
