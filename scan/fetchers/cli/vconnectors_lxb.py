"""Linux-bridge agent vConnectors: the bridges, plus the agent's configuration (Q11)."""

from __future__ import annotations

from scan.fetchers.base import host_of, host_types
from scan.fetchers.cli.vconnectors_ovs import ROLES, vconnector_docs
from scan.fetchers.db.common import agents_on


class CliFetchVconnectorsLxb:
    source = "CLI"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        host = host_of(parent)
        if not ROLES & set(host_types(ctx, host)):
            return []
        config = next((a.get("configurations") for a in agents_on(ctx, host, "Linux bridge agent")), None)
        docs = vconnector_docs(ctx, host)
        for d in docs:
            if config is not None:
                d["configurations"] = config
        return docs
