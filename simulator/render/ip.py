"""`ip address show`, `ip link show` (also `-d` and `-d -j`) and `ip netns list`, in iproute2's format."""

from __future__ import annotations

import ipaddress
import json

from simulator.hostview import Inet, Link, Namespace

_LOOPBACK_MAC = "00:00:00:00:00:00"
_BROADCAST_MAC = "ff:ff:ff:ff:ff:ff"


def _header(link: Link, mode: bool) -> str:
    parts = [f"{link.index}: {link.shown_name}: <{','.join(link.flags)}> mtu {link.mtu} qdisc {link.qdisc}"]
    if link.master:
        parts.append(f"master {link.master}")
    parts.append(f"state {link.state}")
    if mode:
        parts.append("mode DEFAULT")
    parts.append("group default")
    if link.qlen is not None:
        parts.append(f"qlen {link.qlen}")
    return " ".join(parts)


def _link_line(link: Link) -> str:
    if link.kind == "loopback":
        text = f"    link/loopback {_LOOPBACK_MAC} brd {_LOOPBACK_MAC}"
    else:
        text = f"    link/ether {link.mac} brd {_BROADCAST_MAC}"
    if link.link_netns:
        text += f" link-netns {link.link_netns}"
    elif link.link_netnsid is not None:
        text += f" link-netnsid {link.link_netnsid}"
    return text


def _inet_lines(link: Link, style: str) -> list[str]:
    lines = []
    label = link.name
    for a in link.inet:
        if a.scope == "host":
            lines.append(f"    inet {a.address}/{a.prefix} scope host {label}")
        else:
            brd = ipaddress.ip_network(f"{a.address}/{a.prefix}", strict=False).broadcast_address
            lines.append(f"    inet {a.address}/{a.prefix} brd {brd} scope {a.scope} {label}")
        lines.append("       valid_lft forever preferred_lft forever")
    tail = " " if style == "current" else ""
    for a6 in link.inet6:
        flags = f" {a6.flags}" if a6.flags else ""
        lines.append(f"    inet6 {a6.address}/{a6.prefix} scope {a6.scope}{flags}{tail}")
        lines.append("       valid_lft forever preferred_lft forever")
    return lines


def address_show(links: list[Link], name: str | None = None, style: str = "old") -> str:
    """`ip address show [<if>]`; an unknown interface is the caller's error (see `device_missing`)."""
    out: list[str] = []
    for link in links:
        if name is not None and link.name != name:
            continue
        out.append(_header(link, mode=False))
        out.append(_link_line(link))
        out.extend(_inet_lines(link, style))
    return "\n".join(out) + "\n" if out else ""


def _vf_lines(link: Link) -> list[str]:
    lines = []
    for vf in link.vfs:
        vlan = f", vlan {vf.vlan}" if vf.vlan is not None else ""
        lines.append(f"    vf {vf.vf} MAC {vf.mac}{vlan}, spoof checking on, link-state auto, trust off")
    return lines


def link_show(links: list[Link], name: str | None = None, detail: bool = False) -> str:
    """`ip [-d] link show [<if>]`."""
    out: list[str] = []
    for link in links:
        if name is not None and link.name != name:
            continue
        out.append(_header(link, mode=True))
        line = _link_line(link)
        if detail:
            promisc = 1 if "PROMISC" in link.flags or link.master else 0
            line += f" promiscuity {promisc} minmtu 68 maxmtu 65535 "
            out.append(line)
            if link.details:
                out.append(f"    {link.details} ")
            if link.master:
                out.append("    bridge_slave state forwarding priority 32 cost 2 hairpin off guard off "
                           "root_block off fastleave off learning on flood on ")
        else:
            out.append(line)
        out.extend(_vf_lines(link))
    return "\n".join(out) + "\n" if out else ""


_INFO_KIND = {"bridge": "bridge", "veth": "veth", "tun": "tun", "vlan": "vlan", "vxlan": "vxlan",
              "bond": "bond", "ovs-internal": "openvswitch", "ovs-system": "openvswitch", "ifb": "ifb"}


def link_show_json(links: list[Link]) -> str:
    """`ip -d -j link show`: one JSON array on one line, as iproute2 prints it."""
    items = []
    for link in links:
        item: dict = {"ifindex": link.index, "ifname": link.name}
        if link.peer:
            item["link"] = link.peer
        item.update({"flags": list(link.flags), "mtu": link.mtu, "qdisc": link.qdisc})
        if link.master:
            item["master"] = link.master
        item.update({"operstate": link.state, "linkmode": "DEFAULT", "group": "default"})
        if link.qlen is not None:
            item["txqlen"] = link.qlen
        loop = link.kind == "loopback"
        item.update({"link_type": "loopback" if loop else "ether",
                     "address": _LOOPBACK_MAC if loop else link.mac,
                     "broadcast": _LOOPBACK_MAC if loop else _BROADCAST_MAC})
        kind = _INFO_KIND.get(link.kind)
        if kind or link.master:
            info: dict = {}
            if kind:
                info["info_kind"] = kind
            if kind == "bridge":
                info["info_data"] = {"bridge_id": "8000." + link.mac.replace(":", ""), "stp_state": 0}
            if kind == "vlan" and link.vlan_id is not None:
                info["info_data"] = {"protocol": "802.1Q", "id": link.vlan_id}
            if link.master:
                info["info_slave_kind"] = "bridge"
            item["linkinfo"] = info
        items.append(item)
    return json.dumps(items, separators=(",", ":")) + "\n"


def netns_list(namespaces: list[Namespace]) -> str:
    """`ip netns list`: newest first in iproute2, i.e. sorted by name descending is not guaranteed;
    the recorded Zed host lists them in directory order, which we model as name order."""
    return "".join(f"{ns.name} (id: {ns.nsid})\n" for ns in sorted(namespaces, key=lambda n: n.name))


def device_missing(name: str) -> str:
    """What iproute2 prints on stderr for an unknown device."""
    return f'Device "{name}" does not exist.\n'


def address_of(inet: Inet) -> str:
    return f"{inet.address}/{inet.prefix}"
