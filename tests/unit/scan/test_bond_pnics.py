"""A bond's members are its own host's NICs, whatever other hosts' NICs are named (every host has an eth0)."""

from __future__ import annotations

from scan.fetchers.base import ScanContext
from scan.fetchers.cli.bond_pnics import CliFetchBondHostPnics

BONDING = """Ethernet Channel Bonding Driver: v5.15.0

Bonding Mode: IEEE 802.3ad Dynamic link aggregation
MII Status: up

Slave Interface: eth0
MII Status: up
Permanent HW addr: {mac0}

Slave Interface: eth1
MII Status: up
Permanent HW addr: {mac1}
"""
LINK = ("7: bond0: <BROADCAST,MULTICAST,MASTER,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT group "
        "default qlen 1000\n    link/ether {mac} brd ff:ff:ff:ff:ff:ff\n")


class Cli:
    """Each host answers with bond0 over its eth0 and eth1, MACs numbered by host."""

    def run(self, host, command, ok_status=(0,)):
        text = " ".join(str(c) for c in command) if isinstance(command, tuple) else str(command)
        n = host[-1]
        if "/proc/net/bonding/ 2>&1" in text:
            return "bond0\n"
        if text.startswith("cat /proc/net/bonding/"):
            return BONDING.format(mac0=f"fa:16:3e:00:0{n}:00", mac1=f"fa:16:3e:00:0{n}:01")
        if text.startswith("ip link show"):
            return LINK.format(mac=f"fa:16:3e:00:0{n}:99")
        raise AssertionError(f"unexpected command {text!r}")


def test_each_hosts_bond_takes_its_own_nics_and_flags_only_them():
    ctx = ScanContext(env={"name": "e"}, cli=Cli())
    for n in (1, 2, 3):
        ctx.found.add({"type": "host", "id": f"node-{n}", "host_type": ["Compute"]})
        for i in (0, 1):
            ctx.found.add({"type": "host_pnic", "id": f"eth{i}-fa:16:3e:00:0{n}:0{i}", "name": f"eth{i}",
                           "host": f"node-{n}", "mac_address": f"fa:16:3e:00:0{n}:0{i}"})
    fetch = CliFetchBondHostPnics().fetch
    bonds = {n: fetch(ctx, {"type": "host", "id": f"node-{n}"}) for n in (2, 1, 3)}

    for n, (bond,) in bonds.items():
        assert bond["host"] == f"node-{n}" and bond["id"] == f"bond0-fa:16:3e:00:0{n}:99"
        assert [m["id"] for m in bond["members"]] == [f"eth0-fa:16:3e:00:0{n}:00", f"eth1-fa:16:3e:00:0{n}:01"]
    for p in ctx.found.of_type("host_pnic"):
        n = p["host"][-1]
        assert p["EtherChannel"] is True and p["EtherChannel Master"] == f"bond0-fa:16:3e:00:0{n}:99"
