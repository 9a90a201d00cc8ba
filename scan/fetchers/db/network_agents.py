"""Neutron agents of a host (Q2), from the agents table read once per scan."""

from __future__ import annotations

from scan.fetchers.base import host_of
from scan.fetchers.db.common import agents_on


class DbFetchHostNetworkAgents:
    source = "DB"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        out = []
        for a in agents_on(ctx, host):
            doc = {k: v for k, v in a.items() if k != "id"}
            doc["agent_id"] = a["id"]
            doc["id"] = f"{a.get('binary')}-{a['id']}"
            doc["name"] = a.get("binary") or a["id"]
            doc["admin_state_up"] = bool(a.get("admin_state_up"))
            out.append(doc)
        return out
