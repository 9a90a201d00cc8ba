"""Hosts of a region (vim-contract §2.3): Nova services by zone, hypervisors, compute_nodes rows,
network agents, and each host's OS over SSH.

Fixes over the original: hosts running neutron agents but no Nova service are found too
(under the internal zone), and a host whose hypervisor name differs from its service host
(Zed: `compute1` vs `vm`) is matched through `nova.compute_nodes`.
"""

from __future__ import annotations

import logging

from scan.access.calls import RemoteError
from scan.fetchers.api.common import az_detail, hypervisors
from scan.fetchers.db.common import compute_nodes, network_node_agents
from scan.fetchers.host_commands import OS_COMMAND
from scan.parsers import ParseError
from scan.parsers.host import os_release

log = logging.getLogger(__name__)


def _up(service: dict) -> bool:
    return bool(service.get("available")) and bool(service.get("active"))


class ApiFetchHosts:
    source = "API"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        region = parent["id"]
        hosts: dict[str, dict] = {}
        for zone in az_detail(ctx, region):
            zname = zone.get("zoneName")
            for name, services in (zone.get("hosts") or {}).items():
                h = hosts.setdefault(name, {"id": name, "name": name, "host": name, "host_type": [],
                                            "services": {}, "zone": zname, "region": region})
                h["services"].update(services or {})
                if _up((services or {}).get("nova-conductor") or {}) and "Controller" not in h["host_type"]:
                    h["host_type"].append("Controller")
                if _up((services or {}).get("nova-compute") or {}):
                    if "Compute" not in h["host_type"]:
                        h["host_type"].append("Compute")
                    h["zone"] = zname
        zones = {z.get("zoneName") for z in az_detail(ctx, region)}
        agents = network_node_agents(ctx) if ctx.db else {}
        for name, config in agents.items():
            h = hosts.get(name)
            if h is None:  # a network node without Nova services: the original never saw it
                h = hosts[name] = {"id": name, "name": name, "host": name, "host_type": [], "services": {},
                                   "zone": "internal" if "internal" in zones else None, "region": region}
            if "Network" not in h["host_type"]:
                h["host_type"].append("Network")
            h["config"] = config
        nodes = compute_nodes(ctx) if ctx.db else {}
        by_hyp = {}
        for hv in hypervisors(ctx, region):
            by_hyp[str(hv.get("hypervisor_hostname"))] = hv
        for h in hosts.values():
            node = nodes.get(h["id"])
            hv_name = node["hypervisor_hostname"] if node else None
            hv = by_hyp.get(hv_name) if hv_name else None
            if hv is None:
                hv = by_hyp.get(h["id"]) or next((v for k, v in by_hyp.items() if k.split(".")[0] == h["id"]), None)
            if hv is not None:
                h["os_id"] = str(hv.get("id"))
                h["hypervisor_hostname"] = hv.get("hypervisor_hostname")
            if node:
                h["ip_address"] = node.get("host_ip")
                h.setdefault("hypervisor_hostname", node.get("hypervisor_hostname"))
            if h.get("zone"):
                h["parent_id"], h["parent_type"] = h["zone"], "availability_zone"
        if ctx.cli is not None and not ctx.hosts_elsewhere:   # else the scan worker of each host asks it
            ctx.parallel(lambda h: self._os(ctx, h), list(hosts.values()))
        return list(hosts.values())

    @staticmethod
    def _os(ctx, h: dict) -> None:
        try:
            h["OS"] = os_release(ctx.cli.run(h["id"], OS_COMMAND))
        except (RemoteError, ParseError) as e:
            ctx.errors.add(h["id"], f"OS details: {e}")
