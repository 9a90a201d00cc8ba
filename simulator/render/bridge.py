"""Linux bridges: `brctl show`, `brctl showmacs <br>`, `bridge fdb show`."""

from __future__ import annotations

from simulator.hostview import Link, LinuxBridge


def brctl_show(bridges: list[LinuxBridge]) -> str:
    """bridge-utils' layout (`"%s\\t\\t"`, id, `"\\t%s\\t\\t"`), further members on TAB-led lines."""
    out = ["bridge name\tbridge id\t\tSTP enabled\tinterfaces"]
    for br in sorted(bridges, key=lambda b: b.name):
        first = br.interfaces[0] if br.interfaces else ""
        out.append(f"{br.name}\t\t{br.bridge_id}\t{br.stp}\t\t{first}")
        for member in br.interfaces[1:]:
            out.append(f"\t\t\t\t\t\t\t{member}")
    return "\n".join(out) + "\n"


def brctl_showmacs(bridge: LinuxBridge, links: list[Link]) -> str:
    by_name = {l.name: l for l in links}
    out = ["port no\tmac addr\t\tis local?\tageing timer"]
    for no, member in enumerate(bridge.interfaces, start=1):
        link = by_name.get(member)
        if link is not None:
            out.append(f"  {no}\t{link.mac}\tyes\t\t   0.00")
    return "\n".join(out) + "\n"


def no_such_bridge(name: str) -> str:
    return "read of forward table failed: No such device\n"


def fdb_show(links: list[Link]) -> str:
    """Permanent multicast entries per device, plus the member MACs of each bridge and the VXLAN flood entries."""
    out = []
    for link in links:
        if link.kind == "loopback":
            continue
        if link.kind == "vxlan":
            out += [f"00:00:00:00:00:00 dev {link.name} dst {remote} self permanent" for remote in link.remotes]
        if link.master:
            out.append(f"{link.mac} dev {link.name} vlan 1 master {link.master} permanent")
            out.append(f"{link.mac} dev {link.name} master {link.master} permanent")
        out.append(f"33:33:00:00:00:01 dev {link.name} self permanent")
    return "".join(line + "\n" for line in out)

