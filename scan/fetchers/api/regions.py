"""Regions, from the Keystone catalog (vim-contract §1.4)."""

from __future__ import annotations


class ApiFetchRegions:
    source = "API"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        out = []
        for name, region in ctx.api.regions().items():
            endpoints = {svc: {k: v for k, v in ep.items() if not k.startswith("_")}
                         for svc, ep in region.endpoints.items()}
            out.append({"id": name, "name": name, "endpoints": endpoints})
        return out
