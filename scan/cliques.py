"""Cliques (spec §5): a topology graph per focal object, computed in bulk from the store.

All links of the environment are loaded once and indexed by (link type, end); each focal
object's clique is then a walk in memory. Differences from the original, on purpose (§9.26):
* each link type is followed in both stored directions (`X-Y` forwards, `Y-X` backwards),
  so mixed-direction data is not lost;
* a link type with no match does not end the walk (V2 behaviour);
* a focal object lacking a constraint attribute is not constrained by it;
* a clique stops growing at `max_nodes` nodes and says so with `truncated: true`;
* a clique type may be scoped to network types (`network_type`: "vlan" or a list): the clique
  of an instance or vService follows, for each of its networks, the best type for that
  network's type (a VLAN network through its provider bridge, a VXLAN one through the OTEP),
  each walk held to that network (and its physical network); the walks are merged.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Callable

from bson import ObjectId

from app.cliques import LinkCopies, link_copy
from app.diffing import canonical, content_hash
from app.releases import same_release
from app.store.store import Store

log = logging.getLogger(__name__)
DEFAULT_MAX_NODES = 5000
NETWORK_TYPE_SCORE = 8


def score(ct: dict, env: dict) -> int:
    """How well a clique type fits an environment (spec §5.2); 0 = not applicable."""
    e = ct.get("environment")
    if e:
        return 64 if e == env["name"] else 1 if e == "ANY" else 0
    if ct.get("environment_type") and ct["environment_type"] != (env.get("environment_type") or "OpenStack"):
        return 0
    s = 0
    if ct.get("distribution"):
        if str(ct["distribution"]).lower() != str(env.get("distribution") or "").lower():
            return 0
        s += 32
        if ct.get("distribution_version"):
            cv, ev = str(ct["distribution_version"]), str(env.get("distribution_version") or "")
            if not (same_release(cv, ev) or (cv.isdigit() and ev.isdigit() and int(cv) <= int(ev))):
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


def network_types(ct: dict) -> list[str] | None:
    """The network types a clique type is scoped to; None = any."""
    nt = ct.get("network_type")
    if not nt:
        return None
    return [str(t).lower() for t in (nt if isinstance(nt, list) else [nt])]


class CliquePlan:
    """Which clique types to walk for a focal object: per network when the focal object has networks."""

    def __init__(self, clique_types: list[dict], constraint_docs: list[dict], env: dict, networks: dict[str, dict]):
        self.env = env
        self.networks = networks
        self.fingerprint = content_hash({"types": sorted(canonical(ct) for ct in clique_types),
                                         "constraints": sorted(canonical(c) for c in constraint_docs)})
        self.constraints = select_constraints(constraint_docs, env)
        self.candidates: dict[str, list[tuple[int, dict]]] = {}
        for ct in clique_types:
            sc = score(ct, env)
            if sc > 0 and ct.get("focal_point_type"):
                self.candidates.setdefault(ct["focal_point_type"], []).append((sc, ct))

    @classmethod
    def from_store(cls, store: Store, env: dict, networks: dict[str, dict] | None = None) -> "CliquePlan":
        if networks is None:
            networks = {d["id"]: d for d in store["inventory"].find(
                {"environment": env["name"], "type": "network"},
                {"id": 1, "provider:network_type": 1, "provider:physical_network": 1})}
        return cls(list(store["clique_types"].find({})), list(store["clique_constraints"].find({})), env, networks)

    def key(self, max_nodes: int) -> str:
        """What a clique was built by (clique types, constraints, bound), kept with it as `_plan`: a full
        rescan rebuilds only the cliques near what changed while every stored one has the current key."""
        return f"{self.fingerprint}/{max_nodes}"

    def focal_types(self) -> set[str]:
        return set(self.candidates)

    def best(self, focal_type: str, ntype: str | None) -> dict | None:
        """Highest score wins; a network type is a selector worth 8 (like a mechanism driver), so a type
        scoped to this network's type beats the environment-wide `type_drivers` ones (4); first on ties."""
        best: tuple[int, dict] | None = None
        for sc, ct in self.candidates.get(focal_type, []):
            scoped = network_types(ct)
            if scoped is not None and (ntype is None or ntype not in scoped):
                continue
            key = sc + (NETWORK_TYPE_SCORE if scoped else 0)
            if best is None or key > best[0]:
                best = (key, ct)
        return best[1] if best else None

    def focal_networks(self, doc: dict) -> list[str]:
        if doc["type"] == "network":
            return [doc["id"]]
        nets = doc.get("network")
        nets = nets if isinstance(nets, list) else [nets] if isinstance(nets, str) and nets else []
        return [n for n in nets if isinstance(n, str)]

    def walks(self, doc: dict) -> list[tuple[dict, dict]]:
        """(clique type, constraint values) for each walk of this focal object's clique."""
        names = self.constraints.get(doc["type"], [])
        base = {c: doc.get(c) for c in names}
        nets = self.focal_networks(doc) if "network" in names else []
        if not nets:
            ct = self.best(doc["type"], None)
            return [(ct, base)] if ct else []
        out = []
        for net_id in nets:
            net = self.networks.get(net_id) or {}
            ntype = str(net.get("provider:network_type") or self.env.get("type_drivers") or "").lower() or None
            ct = self.best(doc["type"], ntype)
            if ct is None:
                continue
            cons = {**base, "network": net_id}
            if ntype in ("vlan", "flat") and net.get("provider:physical_network"):
                cons["physical_network"] = net["provider:physical_network"]
            out.append((ct, cons))
        return out


def _by_ends(candidate: tuple[dict, ObjectId]) -> tuple[str, str]:
    return str(candidate[1]), str(candidate[0]["_id"])


def _walk(focal: dict, clique_type: dict, cons: dict, graph: LinkGraph, max_nodes: int, acc: dict) -> None:
    visited: dict[str, set[ObjectId]] = {focal["type"]: {focal["_id"]}}
    for lt in clique_type.get("link_types") or []:
        if "-" not in lt or acc["truncated"]:
            continue
        x, y = lt.split("-", 1)
        reverse = f"{y}-{x}"
        new: set[ObjectId] = set()
        # in id order, not in the order of a set or of the links as found: the same cloud gives the same
        # clique (node and link order, and which nodes a cut keeps), so a rescan has nothing to rewrite
        for n in sorted(visited.get(x, ()), key=str):
            candidates = [(l, l["target"]) for l in graph.by_source.get((lt, n), ())]
            if x != y:
                candidates += [(l, l["source"]) for l in graph.by_target.get((reverse, n), ())]
            else:
                candidates += [(l, l["source"]) for l in graph.by_target.get((lt, n), ())]
            if len(candidates) > 1:
                candidates.sort(key=_by_ends)
            for l, other in candidates:
                if not _passes(l, cons):
                    continue
                if other not in acc["node_set"] and len(acc["node_set"]) >= max_nodes:
                    acc["truncated"] = True
                    break
                new.add(other)
                if l["_id"] not in acc["seen"]:
                    acc["seen"].add(l["_id"])
                    acc["links"].append(l)
                if other not in acc["node_set"]:
                    acc["node_set"].add(other)
                    acc["nodes"].append(other)
            if acc["truncated"]:
                break
        if new:
            visited.setdefault(y, set()).update(new)


def build_walks(focal: dict, walks: list[tuple[dict, dict]], graph: LinkGraph,
                max_nodes: int = DEFAULT_MAX_NODES, constraints: dict | None = None,
                copies: LinkCopies | None = None) -> dict | None:
    """The clique document of one focal object from its walks, or None when no link was found; its copies
    of links from `copies` (shared with the other cliques) when given."""
    acc = {"node_set": {focal["_id"]}, "nodes": [focal["_id"]], "links": [], "seen": set(), "truncated": False}
    for ct, cons in walks:
        _walk(focal, ct, cons, graph, max_nodes, acc)
    if not acc["links"] or not walks:
        return None
    links = acc["links"]
    type_ids = list(dict.fromkeys(ct.get("_id") for ct, _ in walks))
    cons = constraints if constraints is not None else walks[0][1]
    return {"environment": focal["environment"], "focal_point": focal["_id"], "focal_point_object_id": focal["id"],
            "focal_point_type": focal["type"], "clique_type": type_ids[0], "clique_types": type_ids,
            "constraints": cons, "links": [l["_id"] for l in links],
            "links_detailed": [(link_copy if copies is None else copies.copy)(l) for l in links],
            "nodes": acc["nodes"], "truncated": acc["truncated"]}


def build_clique(focal: dict, clique_type: dict, constraints: list[str], graph: LinkGraph,
                 max_nodes: int = DEFAULT_MAX_NODES) -> dict | None:
    """The clique document for one focal object and one clique type, or None when no link was found."""
    cons = {c: focal.get(c) for c in constraints}
    return build_walks(focal, [(clique_type, cons)], graph, max_nodes)


def plan_clique(plan: CliquePlan, doc: dict, graphs: dict[bool, LinkGraph], links: list[dict],
                max_nodes: int = DEFAULT_MAX_NODES, copies: LinkCopies | None = None) -> dict | None:
    """The clique of one focal object as the plan says (scanner and listener alike)."""
    walks = plan.walks(doc)
    if not walks:
        return None
    implicit = any(ct.get("use_implicit_links") for ct, _ in walks)
    if implicit not in graphs:
        graphs[implicit] = LinkGraph.build(links, implicit)
    base = {c: doc.get(c) for c in plan.constraints.get(doc["type"], [])}
    clique = build_walks(doc, walks, graphs[implicit], max_nodes, base, copies)
    if clique is not None:
        clique["_plan"] = plan.key(max_nodes)
    return clique


def plan_for(store: Store, env: dict, inventory_docs: list[dict]) -> CliquePlan:
    """The plan for these objects: their networks, not the stored ones."""
    return CliquePlan.from_store(store, env, {d["id"]: d for d in inventory_docs if d.get("type") == "network"})


def find_cliques(store: Store, env: dict, inventory_docs: list[dict], links: list[dict],
                 sink: Callable[[list[dict]], None], max_nodes: int = DEFAULT_MAX_NODES,
                 plan: CliquePlan | None = None, only: set | None = None,
                 copies: LinkCopies | None = None) -> dict[str, int]:
    """Build every clique of the environment (or of the focal points `only`) and hand them to `sink` in
    batches (their copies of links from `copies` when given: app.cliques.LinkCopies); returns counts by
    focal type."""
    if only is not None and not only:    # nothing near a change: no graph to build
        return {}
    plan = plan or plan_for(store, env, inventory_docs)
    focal_types = plan.focal_types()
    graphs = {False: LinkGraph.build(links, False)}
    counts: dict[str, int] = {}
    batch: list[dict] = []
    for doc in inventory_docs:
        if doc["type"] not in focal_types or (only is not None and doc["_id"] not in only):
            continue
        clique = plan_clique(plan, doc, graphs, links, max_nodes, copies)
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
