"""Shared MySQL look-ups of one scan: bulk queries made once and indexed in memory.

The original queried per host or per object (Q2, Q3, Q9, Q10 ...); we read each table once
per scan, which keeps the remote calls per object near zero on large clouds.
"""

from __future__ import annotations

import json
import logging

from scan.fetchers.base import ScanContext

log = logging.getLogger(__name__)


def parse_json(value, where: str = "") -> dict | list | None:
    if value in (None, ""):
        return {}
    if isinstance(value, (dict, list)):
        return value
    try:
        return json.loads(value)
    except (TypeError, ValueError):
        log.warning("JSON in %s not understood; kept as text", where or "a column")
        return value


def neutron_db(ctx: ScanContext) -> str:
    return ctx.memo.once("neutron_schema", ctx.db.neutron_schema)


def agents(ctx: ScanContext) -> list[dict]:
    def load() -> list[dict]:
        rows = ctx.db.query(f"SELECT * FROM {neutron_db(ctx)}.agents", what="SELECT * FROM neutron.agents")
        for r in rows:
            r["configurations"] = parse_json(r.get("configurations"), f"agent {r.get('id')}")
        return rows
    return ctx.memo.once("agents", load)


def network_node_agents(ctx: ScanContext) -> dict[str, dict]:
    """Host -> configurations of hosts running a Metadata, DHCP or L3 agent (Q1)."""
    out: dict[str, dict] = {}
    for a in agents(ctx):
        if a.get("agent_type") in ("Metadata agent", "DHCP agent", "L3 agent"):
            out.setdefault(a["host"], a.get("configurations") or {})
    return out


def compute_nodes(ctx: ScanContext) -> dict[str, dict]:
    """Service host -> compute node row (host, hypervisor_hostname, host_ip) (Q3, in bulk)."""
    def load() -> dict[str, dict]:
        rows = ctx.db.query("SELECT host, hypervisor_hostname, host_ip FROM nova.compute_nodes WHERE deleted = 0",
                            what="SELECT nova.compute_nodes")
        out = {}
        for r in rows:
            out.setdefault(r.get("host") or r.get("hypervisor_hostname"), r)
        return out
    return ctx.memo.once("compute_nodes", load)


Q4 = ("SELECT DISTINCT i.uuid AS id, i.display_name AS name, i.host AS host, host_ip AS ip_address, "
      "network_info, project_id, IF(p.name IS NULL, 'Unknown', p.name) AS project "
      "FROM nova.instances i LEFT JOIN keystone.project p ON p.id = i.project_id "
      "JOIN nova.instance_info_caches ic ON i.uuid = ic.instance_uuid "
      "JOIN nova.compute_nodes cn ON i.node = cn.hypervisor_hostname WHERE i.deleted = 0")


def instance_rows(ctx: ScanContext) -> dict[str, dict]:
    def load() -> dict[str, dict]:
        out = {}
        for r in ctx.db.query(Q4, what="Q4 instance details"):
            info = parse_json(r.get("network_info"), f"instance {r.get('id')}") or []
            r["network_info"] = info if isinstance(info, list) else []
            r["network"] = sorted({(v.get("network") or {}).get("id") for v in r["network_info"]
                                   if isinstance(v, dict) and (v.get("network") or {}).get("id")})
            out[r["id"]] = r
        return out
    return ctx.memo.once("instances", load)


def rows_by_host(ctx: ScanContext, key: str, sql: str, what: str) -> dict[str, list[dict]]:
    def load() -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for r in ctx.db.query(sql, what=what):
            out.setdefault(r.get("host"), []).append(r)
        return out
    return ctx.memo.once(key, load)
