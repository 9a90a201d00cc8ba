"""Linux bridges of a host (`brctl show`, or `ip -d -j link show` where brctl is missing),
with each member's MAC from the port bound to this host whose id its name abbreviates.

Bridges a container runtime made (`CONTAINER_BRIDGES`: docker0, cni-podman0, ...) carry no
OpenStack traffic and are not vConnectors."""

from __future__ import annotations

import re

from scan.access.calls import RemoteError
from scan.fetchers.base import host_of, host_types
from scan.fetchers.host_commands import BRIDGES
from scan.parsers.bridges import brctl_show, ip_json_bridges

ROLES = {"Network", "Compute"}
# the bridges of container runtimes: Docker (docker0, user networks br-<12 hex>), Podman/CNI, LXC/LXD, Kubernetes
CONTAINER_BRIDGES = re.compile(r"^(docker\d+|br-[0-9a-f]{12}|cni-podman\d+|podman\d+|cni\d+|lxcbr\d+|lxdbr\d+|"
                               r"kube-bridge|cbr0)$")


def bridges(ctx, host: str) -> list[dict]:
    try:
        text = ctx.cli.run(host, BRIDGES)
        if text.startswith("bridge name"):
            return brctl_show(text)
    except RemoteError:
        pass
    return ip_json_bridges(ctx.cli.run(host, ("ip", "-d", "-j", "link", "show")))


def port_macs(ctx, host: str) -> dict[str, str]:
    """Port id -> MAC of the ports bound to `host` (for device-name prefix matching)."""
    def index():
        by_host: dict[str, dict[str, str]] = {}
        for p in ctx.found.of_type("port"):
            by_host.setdefault(p.get("binding:host_id") or "", {})[p["id"]] = p.get("mac_address") or ""
        return by_host
    return ctx.memo.once("ports_by_host", index).get(host, {})


def mac_for(ports: dict[str, str], ifname: str) -> str:
    prefix = ifname[3:]
    if len(prefix) < 6:
        return ""
    for pid, mac in ports.items():
        if pid.startswith(prefix):
            return mac
    return ""


def vconnector_docs(ctx, host: str) -> list[dict]:
    ports = port_macs(ctx, host)
    out = []
    for b in bridges(ctx, host):
        if CONTAINER_BRIDGES.match(b["bridge_name"]):
            continue
        names = list(b["interfaces"])
        out.append({"id": f"{host}-{b['bridge_name']}-{b['bridge_id']}", "name": f"{host}-{b['bridge_name']}",
                    "object_name": f"{host}-{b['bridge_name']}", "host": host,
                    "bridge_name": b["bridge_name"], "bridge_id": b["bridge_id"], "stp_enabled": b["stp_enabled"],
                    "connector_type": "bridge", "interfaces_names": names,
                    "interfaces": [{"name": n, "mac_address": mac_for(ports, n)} for n in names]})
    return out


class CliFetchVconnectorsOvs:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if not ROLES & set(host_types(ctx, host)):
            return []
        return vconnector_docs(ctx, host)
