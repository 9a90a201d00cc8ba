"""SR-IOV vEdges (spec §3.2 [cvim]): one per host with NIC Switch agents; a port per physical
function of the agent's device mappings, with its virtual functions from `ip -d link show`."""

from __future__ import annotations

from scan.fetchers.base import host_of
from scan.fetchers.db.common import agents_on
from scan.parsers.ip import sriov_vfs


class CliFetchVedgesSriov:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        rows = agents_on(ctx, host, "NIC Switch agent")
        if not rows:
            return []
        ports = []
        for row in rows:
            config = row.get("configurations") if isinstance(row.get("configurations"), dict) else {}
            for physnet, pfs in (config.get("device_mappings") or {}).items():
                for pf in pfs if isinstance(pfs, list) else [pfs]:
                    vfs = sriov_vfs(ctx.cli.run(host, ("ip", "-d", "link", "show", pf)))
                    ports.append({"id": physnet, "name": pf, "VFs": vfs})
        row = rows[0]
        return [{"id": f"{host}-SRIOV", "name": f"SRIOV-{host}", "host": host, "agent_type": row.get("agent_type"),
                 "binary": row.get("binary"), "agent_id": row.get("id"), "configurations": row.get("configurations"),
                 "ports": ports, "vedge_type": "SRIOV"}]
