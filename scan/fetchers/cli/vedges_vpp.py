"""VPP vEdges (vim-contract §4.5.16): `vppctl show ver` and `vppctl show int`."""

from __future__ import annotations

from scan.fetchers.base import host_of, host_types
from scan.fetchers.host_commands import VPP_INTERFACES, VPP_VERSION
from scan.parsers.vpp import show_int, show_version


class CliFetchVedgesVpp:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if not {"Network", "Compute"} & set(host_types(ctx, host)):
            return []
        version = show_version(ctx.cli.run(host, VPP_VERSION))
        ports = show_int(ctx.cli.run(host, VPP_INTERFACES))
        return [{"id": f"{host}-VPP", "name": f"VPP-{host}", "host": host, "agent_type": "VPP",
                 "binary": version, "ports": ports, "vedge_type": "VPP"}]
