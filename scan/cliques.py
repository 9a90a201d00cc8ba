"""Cliques (spec §5): a topology graph per focal object, computed in bulk from the store.

All links of the environment are loaded once and indexed by (link type, end); each focal
object's clique is then a walk in memory. Differences from the original, on purpose (§9.26):
* each link type is followed in both stored directions (`X-Y` forwards, `Y-X` backwards),
  so mixed-direction data is not lost;
* a link type with no match does not end the walk (V2 behaviour);
* a focal object lacking a constraint attribute is not constrained by it;
* a clique stops growing at `max_nodes` nodes and says so with `truncated: true`.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from bson import ObjectId

from app.store.store import Store

log = logging.getLogger(__name__)
DEFAULT_MAX_NODES = 5000


def score(ct: dict, env: dict) -> int:
    """How well a clique type fits an environment (spec §5.2); 0 = not applicable."""
    e = ct.get("environment")
    if e:
        return 64 if e == env["name"] else 1 if e == "ANY" else 0
    if ct.get("environment_type") and ct["environment_type"] != (env.get("environment_type") or "OpenStack"):
        return 0
    s = 0
    if ct.get("distribution"):
        if ct["distribution"] != env.get("distribution"):
            return 0
        s += 32
        if ct.get("distribution_version"):
            cv, ev = str(ct["distribution_version"]), str(env.get("distribution_version") or "")
            if not (cv == ev or (cv.isdigit() and ev.isdigit() and int(cv) <= int(ev))):
                return 0
            s += 16
    if ct.get("mechanism_drivers"):
        wanted = ct["mechanism_drivers"] if isinstance(ct["mechanism_drivers"], list) else [ct["mechanism_drivers"]]
        if not set(wanted) & set(env.get("mechanism_drivers") or []):
            return 0
        s += 8
    if ct.get("type_drivers"):
        if ct["type_drivers"] != env.get("type_drivers"):
            return 0
        s += 4
    return max(s, 2)


def select_clique_types(clique_types: list[dict], env: dict) -> dict[str, dict]:
    """focal_point_type -> the best-scoring clique type (first one on ties)."""
    best: dict[str, tuple[int, dict]] = {}
    for ct in clique_types:
        s = score(ct, env)
        fpt = ct.get("focal_point_type")
        if s > 0 and fpt and (fpt not in best or s > best[fpt][0]):
            best[fpt] = (s, ct)
    return {k: v for k, (_, v) in best.items()}


def select_constraints(docs: list[dict], env: dict) -> dict[str, list[str]]:
    """focal_point_type -> constraint attributes: the environment's own document, else the default."""
    out: dict[str, list[str]] = {}
    for d in docs:
        if not d.get("environment") and d.get("focal_point_type") not in out:
            out[d["focal_point_type"]] = list(d.get("constraints") or [])
    for d in docs:
        if d.get("environment") == env["name"]:
            out[d["focal_point_type"]] = list(d.get("constraints") or [])
    return out


def _passes(link: dict, constraints: dict) -> bool:
    attrs = link.get("attributes") or {}
    for c, value in constraints.items():
        if value is None or c not in attrs:
            continue
        v = attrs[c]
        if isinstance(value, list):
            if v not in value:
                return False
        elif v != value:
            return False
    return True


@dataclass
class LinkGraph:
    """Links of one environment indexed by (type, source) and (type, target)."""

    by_source: dict[tuple[str, ObjectId], list[dict]] = field(default_factory=dict)
    by_target: dict[tuple[str, ObjectId], list[dict]] = field(default_factory=dict)

    @classmethod
    def build(cls, links: list[dict], implicit: bool) -> "LinkGraph":
        g = cls()
        for l in links:
            if l.get("implicit") and not implicit:
                continue
            g.by_source.setdefault((l["link_type"], l["source"]), []).append(l)
            g.by_target.setdefault((l["link_type"], l["target"]), []).append(l)
        return g


def build_clique(focal: dict, clique_type: dict, constraints: list[str], graph: LinkGraph,
                 max_nodes: int = DEFAULT_MAX_NODES) -> dict | None:
    """The clique document for one focal object, or None when no link was found."""
    fpt = focal["type"]
    visited: dict[str, set[ObjectId]] = {fpt: {focal["_id"]}}
    nodes: list[ObjectId] = [focal["_id"]]
    node_set = {focal["_id"]}
    cons = {c: focal.get(c) for c in constraints}
    links: list[dict] = []
    seen: set[ObjectId] = set()
    truncated = False
    for lt in clique_type.get("link_types") or []:
        if "-" not in lt or truncated:
            continue
        x, y = lt.split("-", 1)
        reverse = f"{y}-{x}"
        new: set[ObjectId] = set()
        for n in list(visited.get(x, ())):
            candidates = [(l, l["target"]) for l in graph.by_source.get((lt, n), ())]
            if x != y:
                candidates += [(l, l["source"]) for l in graph.by_target.get((reverse, n), ())]
            else:
                candidates += [(l, l["source"]) for l in graph.by_target.get((lt, n), ())]
            for l, other in candidates:
                if l["_id"] in seen or not _passes(l, cons):
                    continue
                if other not in node_set and len(node_set) >= max_nodes:
                    truncated = True
                    break
                seen.add(l["_id"])
                links.append(l)
                new.add(other)
                if other not in node_set:
                    node_set.add(other)
                    nodes.append(other)
            if truncated:
                break
        if new:
            visited.setdefault(y, set()).update(new)
    if not links:
        return None
    return {"environment": focal["environment"], "focal_point": focal["_id"], "focal_point_object_id": focal["id"],
            "focal_point_type": fpt, "clique_type": clique_type.get("_id"), "constraints": cons,
            "links": [l["_id"] for l in links],
            "links_detailed": [{k: v for k, v in l.items() if not (k.startswith("_") and k != "_id")} for l in links],
            "nodes": nodes, "truncated": truncated}


def find_cliques(store: Store, env: dict, inventory_docs: list[dict], links: list[dict],
                 sink: Callable[[list[dict]], None], max_nodes: int = DEFAULT_MAX_NODES) -> dict[str, int]:
    """Build every clique of the environment and hand them to `sink` in batches; returns counts by focal type."""
    types = select_clique_types(list(store["clique_types"].find({})), env)
    constraints = select_constraints(list(store["clique_constraints"].find({})), env)
    graphs = {False: LinkGraph.build(links, False)}
    counts: dict[str, int] = {}
    batch: list[dict] = []
    for doc in inventory_docs:
        ct = types.get(doc["type"])
        if ct is None:
            continue
        implicit = bool(ct.get("use_implicit_links"))
        if implicit not in graphs:
            graphs[implicit] = LinkGraph.build(links, implicit)
        clique = build_clique(doc, ct, constraints.get(doc["type"], []), graphs[implicit], max_nodes)
        if clique is None:
            continue
        if clique["truncated"]:
            log.warning("clique of %s %s cut at %d nodes", doc["type"], doc["id"], max_nodes)
        batch.append(clique)
        counts[doc["type"]] = counts.get(doc["type"], 0) + 1
        if len(batch) >= 500:   # bounded memory: large clouds have large cliques
            sink(batch)
            batch = []
    if batch:
        sink(batch)
    return counts
