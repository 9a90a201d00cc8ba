"""`ip address show [<if>]`, `ip link show`, `ip -d link show` (vim-contract §4.5.6, §4.5.10, §4.5.12, §4.5.14)."""

from __future__ import annotations

import ipaddress
import re

from scan.parsers import ParseError, parser

HEADER = re.compile(r"^(\d+):\s+([^:\s]+):\s+<([^>]*)>(.*)$")
STATE = re.compile(r"\bstate (\S+)")
MTU = re.compile(r"\bmtu (\d+)")
MASTER = re.compile(r"\bmaster (\S+)")


@parser
def parse_addresses(text: str) -> list[dict]:
    """One record per interface: name (without `@peer`), index, flags, state, mac, IPv4/IPv6, raw lines."""
    out: list[dict] = []
    cur: dict | None = None
    for line in text.splitlines():
        if not line.strip():
            continue
        m = HEADER.match(line)
        if m:
            name = m.group(2)
            flags = m.group(3).split(",")
            rest = m.group(4)
            st, mtu, master = STATE.search(rest), MTU.search(rest), MASTER.search(rest)
            cur = {"index": m.group(1), "name": name.split("@")[0], "full_name": name, "flags": flags,
                   "state": "UP" if "UP" in flags else "DOWN", "oper_state": st.group(1) if st else None,
                   "mtu": mtu.group(1) if mtu else None, "master": master.group(1) if master else None,
                   "mac_address": None, "ipv4": [], "ipv6_global": [], "lines": [line.strip()], "raw": [line]}
            out.append(cur)
            continue
        if cur is None:
            raise ParseError(f"line before any interface header: {line.strip()[:60]!r}")
        cur["lines"].append(line.strip())
        cur["raw"].append(line)
        parts = line.split()
        if parts[0].startswith("link/") and len(parts) > 1:
            if parts[0] == "link/ether":
                cur["mac_address"] = parts[1].lower()
        elif parts[0] == "inet" and len(parts) > 1:
            addr, _, plen = parts[1].partition("/")
            cur["ipv4"].append((addr, int(plen or 32)))
        elif parts[0] == "inet6" and len(parts) > 1 and " global " in f" {line} ":
            cur["ipv6_global"].append(parts[1].split("/")[0])
    return out


def netmask(prefix: int) -> str:
    return str(ipaddress.IPv4Network(f"0.0.0.0/{prefix}").netmask)


def cidr(ip: str, prefix: int) -> str:
    return str(ipaddress.IPv4Interface(f"{ip}/{prefix}").network)


@parser
def interface_with_ip(text: str, ip: str) -> str | None:
    """Name of the interface holding this IPv4 address (the OTEP's tunnel interface)."""
    for iface in parse_addresses(text):
        if any(a == ip for a, _ in iface["ipv4"]):
            return iface["name"]
    return None


@parser
def tunnel_underlay(text: str, ip: str) -> dict | None:
    """Where the tunnel IP lives and what carries it off the host: {interface, bridge, underlay}.

    `underlay` lists the devices below the interface: a Linux bridge's members, a VLAN
    sub-interface's parent (`eth1.200@eth1`), the interface itself otherwise; empty for the
    loopback (an overlay on `lo` leaves by no NIC). `bridge` is true when other devices have
    the interface as their master (a vConnector then exists for it)."""
    ifaces = parse_addresses(text)
    holder = next((i for i in ifaces if any(a == ip for a, _ in i["ipv4"])), None)
    if holder is None:
        return None
    name = holder["name"]
    members = [i["name"] for i in ifaces if i.get("master") == name]
    if members:
        underlay = members
    elif "LOOPBACK" in holder["flags"]:
        underlay = []
    else:
        underlay = [lower_device(holder, ifaces) or name]
    return {"interface": name, "bridge": bool(members), "underlay": underlay}


PEER_INDEX = re.compile(r"^if(\d+)$")


def lower_device(iface: dict, ifaces: list[dict]) -> str | None:
    """The device under `name@other` when it is a VLAN parent, else None (the device carries itself).

    `other` is a name or, for a peer in another namespace, an index (`c1-tun@if5`, `link-netns`
    on the line). A veth's peer is never a parent: two devices naming each other (`qvo@qvb`,
    `qvb@qvo`) are a veth pair, and an index resolves only to a device of this namespace that
    names `iface` back."""
    other = iface["full_name"].partition("@")[2]
    if not other:
        return None
    by_name = {i["name"]: i for i in ifaces}
    m = PEER_INDEX.match(other)
    if m:
        if any("link-netns" in line for line in iface["lines"][:2]):
            return None                      # a veth whose peer lives in another namespace
        peer = next((i for i in ifaces if i["index"] == m.group(1)), None)
        if peer is None:
            return None
        other = peer["name"]
    peer = by_name.get(other)
    if peer is not None and peer["full_name"].partition("@")[2] in (iface["name"], f"if{iface['index']}"):
        return None                          # a veth pair in this namespace
    return other


@parser
def link_state(text: str) -> tuple[str | None, str | None]:
    """(`Link detected` yes/no, mac) from `ip link show <if>` (bond objects)."""
    ifaces = parse_addresses(text)
    if not ifaces:
        raise ParseError("no interface in 'ip link show' output")
    i = ifaces[0]
    state = (i["oper_state"] or "").lower()
    return ("yes" if state == "up" else "no"), i["mac_address"]


@parser
def detailed_section(text: str, ifname: str) -> dict | None:
    """The section of `ip -d link show` for one interface (LXB OTEPs)."""
    for iface in parse_addresses(text):
        if iface["name"] == ifname:
            return {"state": iface["state"], "mac_address": iface["mac_address"], "mtu": iface["mtu"],
                    "data": "\n".join(iface["lines"])}
    return None


@parser
def fdb_dst(text: str, ifname: str) -> str | None:
    needle = f" dev {ifname} dst "
    for line in text.splitlines():
        if needle in line:
            return line.split(" dst ", 1)[1].strip()
    return None


@parser
def fdb_remotes(text: str, ifname: str) -> list[str]:
    """The remote endpoints of a VXLAN device: its all-zero (flood) entries' `dst` in `bridge fdb show`,
    one per VTEP the Linux bridge agent (l2population) pointed it at, in order, without repeats."""
    out: list[str] = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 5 and parts[0] == "00:00:00:00:00:00" and parts[1:3] == ["dev", ifname] and "dst" in parts:
            ip = parts[parts.index("dst") + 1] if parts.index("dst") + 1 < len(parts) else None
            if ip and ip not in out:
                out.append(ip)
    return out


@parser
def sriov_vfs(text: str) -> list[dict]:
    """VF lines of `ip -d link show <pf>` (vim-contract §4.5.18)."""
    vfs = []
    for line in text.splitlines():
        s = line.strip().lower()
        if not s.startswith("vf "):
            continue
        parts = [p.strip() for p in s.split(",")]
        head = parts[0].split()
        if len(head) < 4 or head[2] != "mac":
            raise ParseError(f"VF line not understood: {line.strip()[:60]!r}")
        vf = {"vf": head[1], "mac_address": head[3]}
        for p in parts[1:]:
            key, _, value = p.rpartition(" ")
            if key:
                vf[key.replace(" ", "_").replace("-", "_")] = value
        vfs.append(vf)
    return vfs
