"""Distribution command translation (spec model §3.4, vim-contract §4.3), as a table.

A command is an argv tuple; the first rule whose key is a prefix of it wraps it in
`docker exec` for the container that holds the tool. A rule with several containers runs
the command in each and concatenates the outputs (the original's `;;;`).
"""

from __future__ import annotations

from dataclasses import dataclass

Argv = tuple[str, ...]


@dataclass(frozen=True)
class Rule:
    key: Argv
    containers: tuple[str, ...]   # "{version}" is replaced by the distribution version
    drivers: tuple[str, ...] = ()  # mechanism drivers the rule applies to; empty = all


_OVS_KEYS: tuple[Argv, ...] = (("ip", "link"), ("ip", "-d", "link"), ("bridge", "fdb", "show"), ("brctl",),
                               ("ovs-vsctl",), ("ovs-dpctl",), ("ovs-appctl",))

MERCURY: tuple[Rule, ...] = (
    Rule(("ip", "netns", "list"), ("neutron_l3_agent_{version}", "neutron_dhcp_agent_{version}")),
    Rule(("ip", "netns", "exec"), ("neutron_l3_agent_{version}",)),  # refined below by namespace kind
    Rule(("virsh",), ("novalibvirt_{version}",)),
    Rule(("vppctl",), ("neutron_vpp_{version}",), ("VPP",)),
    *(Rule(k, ("ovs_vswitch_{version}",), ("OVS",)) for k in _OVS_KEYS),
)
KOLLA: tuple[Rule, ...] = (
    Rule(("ip", "netns", "list"), ("neutron_l3_agent", "neutron_dhcp_agent")),
    Rule(("ip", "netns", "exec"), ("neutron_l3_agent",)),
    Rule(("virsh",), ("nova_libvirt",)),
    Rule(("vppctl",), ("neutron_vpp",), ("VPP",)),
    *(Rule(k, ("openvswitch_vswitchd",), ("OVS",)) for k in _OVS_KEYS if k not in (("brctl",), ("bridge", "fdb", "show"))),
)
TABLES: dict[str, tuple[Rule, ...]] = {"mercury": MERCURY, "kolla": KOLLA}


class Translator:
    def __init__(self, distribution: str | None, version: str | None, drivers: list[str] | None):
        self.rules = TABLES.get((distribution or "").lower(), ())
        self.version = str(version or "")
        self.drivers = set(drivers or [])
        workdir = self.version.isdigit() and int(self.version) >= 27747 and (distribution or "").lower() == "mercury"
        self.prefix: Argv = ("docker", "exec", "--user", "root") + (("--workdir", "/root") if workdir else ())

    def __call__(self, argv: Argv) -> list[Argv]:
        for rule in self.rules:
            if argv[:len(rule.key)] != rule.key:
                continue
            if rule.drivers and not (self.drivers & set(rule.drivers)):
                continue
            containers = rule.containers
            if rule.key == ("ip", "netns", "exec") and len(argv) > 3 and argv[3].startswith("qdhcp"):
                containers = tuple(c.replace("l3_agent", "dhcp_agent") for c in containers)
            return [self.prefix + (c.format(version=self.version),) + argv for c in containers]
        return [argv]
