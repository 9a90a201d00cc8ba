"""Shared REST look-ups of one scan, each made once (single-flight) and reused by fetchers."""

from __future__ import annotations

from scan.access.rest import strip_version
from scan.fetchers.base import ScanContext


def az_detail(ctx: ScanContext, region: str) -> list[dict]:
    return ctx.memo.once(("az", region), lambda: ctx.api.service_get(
        region, "compute", "os-availability-zone/detail").get("availabilityZoneInfo") or [])


def hypervisors(ctx: ScanContext, region: str) -> list[dict]:
    return ctx.memo.once(("hypervisors", region), lambda: ctx.api.service_get(
        region, "compute", "os-hypervisors").get("hypervisors") or [])


def neutron(ctx: ScanContext, region: str, collection: str) -> list[dict]:
    return ctx.memo.once(("neutron", region, collection), lambda: ctx.api.service_get(
        region, "network", f"v2.0/{collection}", unversioned=True).get(collection) or [])


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
