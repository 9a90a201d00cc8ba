"""Availability zones of a region (Nova `os-availability-zone/detail`), in the region's dynamic folder."""

from __future__ import annotations

from scan.fetchers.api.common import az_detail
from scan.fetchers.base import folder


class ApiFetchAvailabilityZones:
    source = "API"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        region = parent["id"]
        out = []
        for zone in az_detail(ctx, region):
            name = zone.get("zoneName")
            if not name:
                continue
            out.append({"id": name, "name": name, "available": bool((zone.get("zoneState") or {}).get("available")),
                        "hosts": zone.get("hosts") or {}, "region": region,
                        "_folder": folder(region, "region", f"{region}-availability_zones",
                                          "availability_zones_folder", "Availability Zones")})
        return out
