"""Networks with their subnets (vim-contract §2.5), each under its project's Networks folder."""

from __future__ import annotations

from scan.fetchers.api.common import admin_project_id, neutron, project_names
from scan.fetchers.base import folder


class ApiFetchNetworks:
    source = "API"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        region = parent["id"]
        subnets: dict[str, list[dict]] = {}
        for s in neutron(ctx, region, "subnets"):
            subnets.setdefault(s.get("network_id"), []).append(s)
        names = project_names(ctx)
        admin = admin_project_id(ctx)
        out = []
        for n in neutron(ctx, region, "networks"):
            doc = dict(n)
            subs = subnets.get(n["id"], [])
            doc["subnets"] = subs
            doc["cidrs"] = [s["cidr"] for s in subs if s.get("cidr")]
            doc["subnet_ids"] = [s["id"] for s in subs]
            doc["network"] = n["id"]
            tenant = n.get("tenant_id") or n.get("project_id")
            if tenant not in names:
                tenant = admin
            doc["project"] = names.get(tenant, "")
            if doc["project"]:
                doc[f"in_project-{doc['project']}"] = True
            if tenant:
                doc["_folder"] = folder(tenant, "project", f"{tenant}-networks", "networks_folder", "Networks")
            out.append(doc)
        return out
