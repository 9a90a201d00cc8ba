"""Pseudo-files: `ls [-l] /sys/class/net`, `/proc/net/bonding/`, `cat /proc/net/bonding/<bond>`,
`cat /sys/class/net/<if>/speed|duplex`."""

from __future__ import annotations

from simulator.hostview import Bond, Link


def _target(link: Link) -> str:
    if link.device_path:
        return f"../../devices/{link.device_path}/net/{link.name}"
    return f"../../devices/virtual/net/{link.name}"


def ls_l_class_net(links: list[Link]) -> str:
    """`ls -l /sys/class/net` (with the `total 0` line ls prints first)."""
    out = ["total 0"]
    for link in sorted(links, key=lambda l: l.name):
        out.append(f"lrwxrwxrwx 1 root root 0 {link.created} {link.name} -> {_target(link)}")
    return "\n".join(out) + "\n"


def ls_class_net(links: list[Link], one_per_line: bool = False) -> str:
    names = sorted(l.name for l in links)
    return "".join(f"{n}\n" for n in names)


def ls_bonding(bonds: list[Bond]) -> tuple[str, str, int]:
    """(stdout, stderr, exit status) of `ls -1 /proc/net/bonding/`."""
    if not bonds:
        return "", "ls: cannot access '/proc/net/bonding/': No such file or directory\n", 2
    return "".join(f"{b.name}\n" for b in sorted(bonds, key=lambda b: b.name)), "", 0


def cat_bond(bond: Bond, links: list[Link]) -> str:
    macs = {l.name: l.mac for l in links}
    out = ["Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)", "",
           f"Bonding Mode: {bond.mode}", "Transmit Hash Policy: layer2 (0)", "MII Status: up",
           "MII Polling Interval (ms): 100", "Up Delay (ms): 0", "Down Delay (ms): 0", "",
           "802.3ad info", "LACP rate: slow", "Min links: 0", "Aggregator selection policy (ad_select): stable"]
    for slave in bond.slaves:
        out += ["", f"Slave Interface: {slave}", "MII Status: up", "Speed: 10000 Mbps", "Duplex: full",
                "Link Failure Count: 0", f"Permanent HW addr: {macs.get(slave, '00:00:00:00:00:00')}",
                "Slave queue ID: 0", "Aggregator ID: 1"]
    return "\n".join(out) + "\n"


def link_attribute(link: Link, name: str) -> str | None:
    """`speed` (Mb/s, -1 when unknown) or `duplex` (full/half/unknown) of a device as the kernel gives them;
    None where reading fails (EINVAL: a NIC without link has neither)."""
    info = link.ethtool
    if info is not None and not info.link_detected:
        return None
    speed, duplex = ("10000Mb/s", "Full") if info is None else (info.speed, info.duplex)
    if name == "speed":
        digits = speed.removesuffix("Mb/s")
        return digits if digits.isdigit() else "-1"
    return duplex.lower() if duplex.lower() in ("full", "half") else "unknown"
