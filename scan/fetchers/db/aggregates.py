"""Host aggregates (Q5). Since Ocata they live in `nova_api` (without `deleted`); the legacy
`nova` tables are read first, as the original did, and `nova_api` when those are empty."""

from __future__ import annotations

from scan.fetchers.base import ScanContext


def aggregate_rows(ctx: ScanContext) -> tuple[list[dict], list[dict]]:
    def load():
        aggs = ctx.db.query("SELECT id, name FROM nova.aggregates WHERE deleted = 0", what="Q5 nova.aggregates")
        hosts = ctx.db.query("SELECT aggregate_id, host FROM nova.aggregate_hosts WHERE deleted = 0",
                             what="Q6 nova.aggregate_hosts")
        if not aggs and ctx.db.has_schema("nova_api"):
            aggs = ctx.db.query("SELECT id, name FROM nova_api.aggregates", what="Q5 nova_api.aggregates")
            hosts = ctx.db.query("SELECT aggregate_id, host FROM nova_api.aggregate_hosts",
                                 what="Q6 nova_api.aggregate_hosts")
        return aggs, hosts
    return ctx.memo.once("aggregates", load, cloud=True)


class DbFetchAggregates:
    source = "DB"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        aggs, _ = aggregate_rows(ctx)
        return [{"id": str(a["id"]), "name": a.get("name") or str(a["id"])} for a in aggs]
