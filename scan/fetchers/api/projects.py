"""Projects: Keystone v3 `/v3/projects`, or v2.0 `/v2.0/tenants` when only v2.0 answered (§1.5).

The service projects (`services`, and Zed's `service`) and domains are left out.
"""

from __future__ import annotations

from scan.access.rest import join
from scan.fetchers.api.common import identity_root

SERVICE_PROJECTS = {"services", "service"}


class ApiFetchProjects:
    source = "API"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        tok = ctx.api.token()
        root = identity_root(ctx)
        if tok.version == "v3":
            items = ctx.api.get(join(root, "v3/projects"), "GET identity v3/projects").get("projects") or []
        else:
            items = ctx.api.get(join(root, "v2.0/tenants"), "GET identity v2.0/tenants").get("tenants") or []
        out = []
        for p in items:
            if p.get("name") in SERVICE_PROJECTS or p.get("is_domain"):
                continue
            doc = dict(p)
            doc.pop("links", None)
            if "parent_id" in doc:
                doc["parent_domain_id"] = doc.pop("parent_id")
            out.append(doc)
        return out
