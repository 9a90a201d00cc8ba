"""Hosts of an aggregate (Q6) as `host_ref` objects pointing at the real host."""

from __future__ import annotations

from scan.fetchers.db.aggregates import aggregate_rows


class DbFetchAggregateHosts:
    source = "DB"

    def fetch(self, ctx, parent: dict) -> list[dict]:
        _, hosts = aggregate_rows(ctx)
        out = []
        for r in hosts:
            if str(r.get("aggregate_id")) != parent["id"]:
                continue
            out.append({"id": f"aggregate-{parent.get('name')}-{r['host']}", "name": r["host"],
                        "host": r["host"]})
        return out
