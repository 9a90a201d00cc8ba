"""Shared REST look-ups of one scan, each made once (single-flight) and reused by fetchers."""

from __future__ import annotations

from scan.access.rest import strip_version
from scan.fetchers.base import ScanContext


def az_detail(ctx: ScanContext, region: str) -> list[dict]:
    return ctx.memo.once(("az", region), lambda: ctx.api.service_get(
        region, "compute", "os-availability-zone/detail").get("availabilityZoneInfo") or [], cloud=True)


def hypervisors(ctx: ScanContext, region: str) -> list[dict]:
    return ctx.memo.once(("hypervisors", region), lambda: ctx.api.service_get(
        region, "compute", "os-hypervisors").get("hypervisors") or [], cloud=True)


def neutron(ctx: ScanContext, region: str, collection: str) -> list[dict]:
    return ctx.memo.once(("neutron", region, collection), lambda: ctx.api.service_get(
        region, "network", f"v2.0/{collection}", unversioned=True).get(collection) or [], cloud=True)


def identity_root(ctx: ScanContext) -> str:
    regions = ctx.api.regions()
    for name in regions:
        try:
            return strip_version(ctx.api.service_url(name, "identity"))
        except Exception:
            continue
    return ctx.api.base


def project_names(ctx: ScanContext) -> dict[str, str]:
    return {p["id"]: p.get("name", p["id"]) for p in ctx.found.of_type("project")}


def admin_project_id(ctx: ScanContext) -> str | None:
    admin = ctx.admin_project()
    for p in ctx.found.of_type("project"):
        if p.get("name") == admin:
            return p["id"]
    tok = ctx.api.token()
    return tok.project_id or None


def all_servers(ctx: ScanContext, region: str, fields: tuple[str, ...]) -> dict[str, list[dict]] | None:
    """Servers of the region by Nova host, from `servers/detail?all_tenants=1` (pages followed):
    one call for the whole cloud instead of one per hypervisor. None when Nova will not say
    (older policy, or no host attribute for this user): then the per-host call is used.

    Each server keeps its `id` and the `fields` its reader asks for, page by page: held whole until
    the last host's instances were built, 10,000 servers were 46 MB (measured at 1,000 hosts)."""
    def load():
        from scan.access.calls import RemoteError
        try:
            url = join_url(ctx.api.service_url(region, "compute"), "servers/detail?all_tenants=1&limit=1000")
            by_host: dict[str, list[dict]] = {}
            seen = 0
            while url and seen < 1000:
                data = ctx.api.get(url, "GET compute servers/detail?all_tenants=1")
                servers = data.get("servers") or []
                for s in servers:
                    host = s.get("OS-EXT-SRV-ATTR:host")
                    if host is None:
                        return None
                    by_host.setdefault(host, []).append({k: s[k] for k in ("id",) + fields if k in s})
                nxt = [l.get("href") for l in data.get("servers_links") or [] if l.get("rel") == "next"]
                url = ctx.api.rewrite(nxt[0]) if nxt and servers else None
                seen += 1
            return by_host
        except RemoteError:
            return None
    return ctx.memo.once(("servers", region, fields), load, cloud=True)


def join_url(base: str, path: str) -> str:
    return base.rstrip("/") + "/" + path.lstrip("/")
