"""Shared MySQL look-ups of one scan: bulk queries made once and indexed in memory.

The original queried per host or per object (Q2, Q3, Q9, Q10 ...); we read each table once
per scan, which keeps the remote calls per object near zero on large clouds.
"""

from __future__ import annotations

import logging

from app.jsonload import loads
from scan.fetchers.base import ScanContext

log = logging.getLogger(__name__)


def parse_json(value, where: str = "") -> dict | list | None:
    if value in (None, ""):
        return {}
    if isinstance(value, (dict, list)):
        return value
    try:
        return loads(value)
    except (TypeError, ValueError):
        log.warning("JSON in %s not understood; kept as text", where or "a column")
        return value


def neutron_db(ctx: ScanContext) -> str:
    return ctx.memo.once("neutron_schema", ctx.db.neutron_schema, cloud=True)


def agents(ctx: ScanContext) -> list[dict]:
    def load() -> list[dict]:
        rows = ctx.db.query(f"SELECT * FROM {neutron_db(ctx)}.agents", what="SELECT * FROM neutron.agents")
        for r in rows:
            r["configurations"] = parse_json(r.get("configurations"), f"agent {r.get('id')}")
        return rows
    return ctx.memo.once("agents", load, cloud=True)


def agents_on(ctx: ScanContext, host: str, agent_type: str | None = None) -> list[dict]:
    """The agents of one host (of one type), in table order: fetchers ask per host, and going through
    every agent for each was hosts x agents (10,000 hosts: 10^8 comparisons a question)."""
    def index() -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for a in agents(ctx):
            out.setdefault(a.get("host"), []).append(a)
        return out
    found = ctx.memo.once("agents by host", index, cloud=True).get(host, [])
    return found if agent_type is None else [a for a in found if a.get("agent_type") == agent_type]


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
    return ctx.memo.once("compute_nodes", load, cloud=True)


def instance_rows(ctx: ScanContext) -> dict[str, dict]:
    """Q4 of the original, as three single-table reads joined here: the same rows (instances
    with an info cache on a known compute node), without asking the database for a 4-way join."""
    def load() -> dict[str, dict]:
        instances = ctx.db.query("SELECT uuid, display_name, host, node, project_id FROM nova.instances "
                                 "WHERE deleted = 0", what="SELECT nova.instances")
        caches = {r["instance_uuid"]: r["network_info"] for r in ctx.db.query(
            "SELECT instance_uuid, network_info FROM nova.instance_info_caches WHERE deleted = 0",
            what="SELECT nova.instance_info_caches")}
        projects = {r["id"]: r["name"] for r in ctx.db.query("SELECT id, name FROM keystone.project",
                                                             what="SELECT keystone.project")}
        node_ip = {r.get("hypervisor_hostname"): r.get("host_ip") for r in compute_nodes(ctx).values()}
        out = {}
        for i in instances:
            if i["uuid"] not in caches or i.get("node") not in node_ip:
                continue
            info = parse_json(caches[i["uuid"]], f"instance {i['uuid']}") or []
            info = info if isinstance(info, list) else []
            out[i["uuid"]] = {
                "id": i["uuid"], "name": i.get("display_name"), "host": i.get("host"),
                "ip_address": node_ip[i.get("node")], "network_info": info, "project_id": i.get("project_id"),
                "project": projects.get(i.get("project_id"), "Unknown"),
                "network": sorted({(v.get("network") or {}).get("id") for v in info
                                   if isinstance(v, dict) and (v.get("network") or {}).get("id")}),
            }
        return out
    return ctx.memo.once("instances", load, cloud=True)


def rows_by_host(ctx: ScanContext, key: str, sql: str, what: str) -> dict[str, list[dict]]:
    def load() -> dict[str, list[dict]]:
        out: dict[str, list[dict]] = {}
        for r in ctx.db.query(sql, what=what):
            out.setdefault(r.get("host"), []).append(r)
        return out
    return ctx.memo.once(key, load, cloud=True)
