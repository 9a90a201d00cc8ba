"""Instances of a Compute host (vim-contract §2.4): Nova's servers of the host's hypervisor,
merged with `nova.instances` (display name, network_info, project)."""

from __future__ import annotations

from scan.fetchers.api.common import all_servers
from scan.fetchers.base import host_of, host_types
from scan.fetchers.db.common import instance_rows


DETAIL_FIELDS = ("status", "tenant_id", "user_id", "key_name", "created", "OS-EXT-STS:vm_state",
                 "OS-EXT-STS:power_state", "OS-EXT-STS:task_state", "OS-EXT-AZ:availability_zone")


class ApiFetchHostInstances:
    source = "API"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if "Compute" not in host_types(ctx, host):
            return []
        hdoc = ctx.found.get(host, "host") or {}
        region = hdoc.get("region")
        if not region:
            region = next(iter(ctx.api.regions()))
        listing = all_servers(ctx, region, ("OS-EXT-SRV-ATTR:instance_name",) + DETAIL_FIELDS)
        if listing is not None:
            servers = [{"uuid": s["id"], "name": s.get("OS-EXT-SRV-ATTR:instance_name"), "detail": s}
                       for s in listing.get(host, [])]
        else:
            servers = self._per_hypervisor(ctx, region, hdoc.get("hypervisor_hostname") or host, host)
        rows = instance_rows(ctx) if ctx.db else {}
        out = []
        for s in servers:
            doc = {"id": s["uuid"], "uuid": s["uuid"], "local_name": s.get("name"), "host": host}
            d = s.get("detail") or {}
            for key in DETAIL_FIELDS:
                if key in d:
                    doc[key.split(":")[-1]] = d[key]
            row = rows.get(s["uuid"])
            if row:
                doc.update({k: v for k, v in row.items() if k != "host"})
                if row.get("project"):
                    doc[f"in_project-{row['project']}"] = True
            out.append(doc)
        return out

    @staticmethod
    def _per_hypervisor(ctx, region: str, pattern: str, host: str) -> list[dict]:
        """A6 of the original: the servers of one hypervisor."""
        data = ctx.api.service_get(region, "compute", f"os-hypervisors/{pattern}/servers")
        hvs = data.get("hypervisors") or []
        servers = []
        for hv in hvs:
            if hv.get("hypervisor_hostname") in (pattern, host) or len(hvs) == 1:
                servers += hv.get("servers") or []
        return servers
