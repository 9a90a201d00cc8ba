"""Physical NICs of a host (vim-contract §4.5.4-§4.5.6): non-virtual devices, their addresses
and `ethtool` attributes. The per-interface commands run concurrently.

A host without `ethtool` (a healthy host may have none) gives speed and duplex from
`/sys/class/net/<if>/speed` and `duplex`, the same numbers: a warning, not an error."""

from __future__ import annotations

from scan.access.calls import RemoteError
from scan.fetchers.base import host_of, host_types
from scan.fetchers.host_commands import ADDRESSES, NET_CLASS
from scan.parsers import ParseError
from scan.parsers.host import ethtool, physical_interfaces, sysfs_duplex, sysfs_speed
from scan.parsers.ip import parse_addresses

ROLES = {"Network", "Compute", "Controller"}


def pnic_id(host: str, name: str, mac: str | None) -> str:
    return f"{name}-{mac}" if mac else f"{host}-{name}-unknown_mac"


def _ethtool(name: str) -> tuple[str, str]:
    return ("ethtool", name.split("@")[-1])


class CliFetchHostPnics:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if not ROLES & set(host_types(ctx, host)):
            return []
        names = physical_interfaces(ctx.cli.run(host, NET_CLASS))
        try:   # one listing for all interfaces (cached: the OTEP fetcher reads it too)
            listing = {i["name"]: i for i in parse_addresses(ctx.cli.run(host, ADDRESSES))}
        except (RemoteError, ParseError):
            listing = {}
        if len(names) > 1:   # every interface's ethtool in one call; one that fails is asked alone, for its error
            ctx.cli.prefetch(host, [_ethtool(n) for n in names])
        return [p for p in ctx.parallel(lambda n: self._safe(ctx, host, n, listing.get(n)), names) if p]

    def _safe(self, ctx, host: str, name: str, listed: dict | None) -> dict | None:
        """One interface's failure is recorded; the host's other pNICs are still found."""
        try:
            return self._one(ctx, host, name, listed)
        except (RemoteError, ParseError) as e:
            ctx.errors.add(host, f"pNIC {name}: {e}")
            return None

    @staticmethod
    def _one(ctx, host: str, name: str, listed: dict | None) -> dict | None:
        if listed is not None:
            i = listed
        else:
            ifaces = parse_addresses(ctx.cli.run(host, ("ip", "address", "show", name)))
            if not ifaces:
                raise ParseError(f"'ip address show {name}' lists no interface")
            i = ifaces[0]
        doc = {"host": host, "name": name, "local_name": name, "mac_address": i["mac_address"],
               "state": i["state"], "index": i["index"], "mtu": i["mtu"], "data": "\n".join(i["lines"])}
        if i["ipv4"]:
            doc["IP Address"] = i["ipv4"][0][0]
            doc["cidr_prefix"] = i["ipv4"][0][1]
        if i["ipv6_global"]:
            doc["IPv6 Address"] = i["ipv6_global"][0]
        try:
            doc.update(ethtool(ctx.cli.run(host, _ethtool(name))))
        except RemoteError as e:
            if not missing_command(e):
                ctx.errors.add(host, f"ethtool {name}: {e}")
            else:
                ctx.warnings.add(host, "ethtool is not installed: speed and duplex read from /sys/class/net")
                doc.update(from_sysfs(ctx, host, name))
        except ParseError as e:
            ctx.errors.add(host, f"ethtool {name}: {e}")
        doc.setdefault("Link detected", "yes" if i["state"] == "UP" else "no")
        doc["id"] = pnic_id(host, name, i["mac_address"])
        return doc


def missing_command(e: RemoteError) -> bool:
    """The command is not installed on the host (the shell's status 127)."""
    return "exit status 127" in e.reason or "command not found" in e.reason


def from_sysfs(ctx, host: str, name: str) -> dict:
    """Speed and Duplex as ethtool names them, from the kernel's files (each left out when unreadable:
    a NIC without link has no speed)."""
    out = {}
    for attr, parse in (("Speed", sysfs_speed), ("Duplex", sysfs_duplex)):
        try:
            out[attr] = parse(ctx.cli.run(host, ("cat", f"/sys/class/net/{name.split('@')[-1]}/{attr.lower()}")))
        except (RemoteError, ParseError):
            continue
    return out
