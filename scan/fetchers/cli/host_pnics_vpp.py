"""VPP physical NICs: the vEdge's Ethernet ports, with MACs from `show hardware-interfaces`.

`/` in VPP interface names becomes `.` in ids (a `/` would break `id_path`)."""

from __future__ import annotations

import re

from scan.fetchers.host_commands import VPP_HARDWARE
from scan.parsers.vpp import hardware_interfaces

PHYSICAL = re.compile(r"^\w*(?<!Virtual)Ethernet")


class CliFetchHostPnicsVpp:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        vedge = ctx.found.get(parent.get("parent_id", ""), "vedge")
        if vedge is None:
            return []
        host = vedge["host"]
        hw = hardware_interfaces(ctx.cli.run(host, VPP_HARDWARE))
        out = []
        for port in vedge.get("ports") or []:
            if not PHYSICAL.match(port["name"]):
                continue
            base = port["name"].split(".")[0]
            out.append({"id": f"{host}-pnic-{port['name'].replace('/', '.')}", "name": port["name"],
                        "object_name": port["name"], "local_name": port["name"], "host": host,
                        "port_id": port["id"], "state": port.get("state"),
                        "Link detected": "yes" if port.get("state") == "up" else "no",
                        "mac_address": (hw.get(base) or {}).get("mac_address")})
        return out
