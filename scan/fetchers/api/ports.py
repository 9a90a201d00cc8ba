"""Ports (vim-contract §2.6), under their network's Ports folder."""

from __future__ import annotations

from scan.fetchers.api.common import neutron, project_names
from scan.fetchers.base import folder


class ApiFetchPorts:
    source = "API"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        region = parent["id"]
        names = project_names(ctx)
        out = []
        for p in neutron(ctx, region, "ports"):
            doc = dict(p)
            net = ctx.found.get(p.get("network_id") or "", "network")
            doc["name"] = p.get("mac_address") if net else p["id"]
            if p.get("name"):
                doc["port_name"] = p["name"]
            project = names.get(p.get("tenant_id") or p.get("project_id") or "")
            if project:
                doc["project"] = project
                doc[f"in_project-{project}"] = True
            if net:
                doc["_folder"] = folder(net["id"], "network", f"{net['id']}-ports", "ports_folder", "Ports")
            out.append(doc)
        return out
