"""A clique as a bounded graph for people: what a browser can draw without freezing.

Nodes are the clique's objects with their status, staleness and depth (hops from the focal
object); links keep their type, name and status. Two bounds, both applied here and reported:
`depth` drops objects farther than that from the focal object; `max_nodes` keeps the nearest
objects (the focal one always) and folds the rest into "+N more" nodes per object type and
host (per type alone when there would be too many of those), with their links re-routed and
counted. `omitted` says what was left out, so the page can say it and offer the table view.
"""

from __future__ import annotations

from collections import Counter, defaultdict, deque
from dataclasses import dataclass
from typing import Iterable

from app.plain import plain
from app.store.store import Store
from app.topology.hover import HoverSpec

# Reading order from the VM down to the wire: the layered layout's rows, and the cap's tie-break.
LAYERS = ("instance", "vservice", "container", "pod", "vnic", "port", "vconnector", "vedge", "otep",
          "host_pnic", "pnic", "switch_pnic", "switch", "network")
STATUSES = ("OK", "Warning", "Error")
DEFAULT_MAX_NODES = 500
HARD_MAX_NODES = 5000


# What node_of and link_of read: a graph of 2,000 objects reads only these (whole link documents were
# half of its answer's time), and the page reads the rest of one element when pointed at (app.topology.cards).
DRAWN_FIELDS = {f: 1 for f in ("id", "type", "name", "object_name", "host", "switch", "status", "status_value",
                                "status_text", "stale_since", "last_seen", "last_scanned", "environment")}
DRAWN_LINK_FIELDS = {f: 1 for f in ("source", "target", "source_id", "target_id", "link_type", "link_name", "state",
                                     "status", "status_value", "host", "implicit", "stale_since", "derived",
                                     "last_seen", "last_scanned", "environment")}


@dataclass(frozen=True)
class Bounds:
    depth: int | None = None
    max_nodes: int = DEFAULT_MAX_NODES


def layer(obj_type: str) -> int:
    return LAYERS.index(obj_type) if obj_type in LAYERS else len(LAYERS)


def status_of(doc: dict) -> str | None:
    """OK / Warning / Error from `status` (any case) or `status_value` (0/1/2); None when unmonitored."""
    s = doc.get("status")
    if isinstance(s, str):
        for known in STATUSES:
            if s.lower() == known.lower():
                return known
        if s.lower() in ("critical", "failed", "down"):
            return "Error"
    v = doc.get("status_value")
    if isinstance(v, (int, str)) and str(v) in ("0", "1", "2"):
        return STATUSES[int(v)]
    return None


def failing_filter(store: Store) -> dict:
    """What fails, as a filter the embedded store answers from the `status` index (it cannot from an integer
    field such as `status_value`): the labels of warning and error, as written by monitoring (the
    `monitoring_check_statuses` constants) or in another case."""
    labels = {"Warning", "Error"}
    doc = store["constants"].find_one({"name": "monitoring_check_statuses"}) or {}
    for item in doc.get("data") or []:
        if str(item.get("value")) in ("1", "2") and isinstance(item.get("label"), str):
            labels.add(item["label"])
    return {"status": {"$in": sorted({v for l in labels for v in (l, l.lower(), l.upper())})}}


def worst(statuses: Iterable[str | None]) -> str | None:
    found = [s for s in statuses if s in STATUSES]
    return max(found, key=STATUSES.index) if found else None


def name_of(doc: dict) -> str:
    for f in ("object_name", "name", "id"):
        if isinstance(doc.get(f), str) and doc[f]:
            return doc[f]
    return str(doc.get("_id"))


def last_seen(doc: dict) -> str | None:
    """When a stale object was last seen; None for the others (the last scan saw them: the card says when)."""
    return plain(doc.get("last_seen") or doc.get("last_scanned")) if doc.get("stale_since") else None


def node_of(doc: dict, depth: int | None, focal: bool) -> dict:
    """An object as drawn: no hover card (the page reads it when pointed at: app.topology.cards)."""
    node = {
        "id": str(doc["_id"]), "object_id": doc.get("id"), "type": doc.get("type"), "name": name_of(doc),
        "host": doc.get("host") if isinstance(doc.get("host"), str) else None,
        "switch": doc.get("switch") if isinstance(doc.get("switch"), str) else None,
        "status": status_of(doc), "status_text": doc.get("status_text"), "depth": depth, "focal": focal,
        "stale": bool(doc.get("stale_since")), "last_seen": last_seen(doc),
    }
    if doc.get("type") == "network":
        node["network_id"] = doc.get("id")
    return node


def link_of(doc: dict, source: str, target: str, hover: HoverSpec) -> dict:
    return {
        "id": str(doc["_id"]), "source": source, "target": target, "link_type": doc.get("link_type"),
        "link_name": doc.get("link_name") if isinstance(doc.get("link_name"), str) else "",
        "state": doc.get("state"), "status": status_of(doc), "host": doc.get("host"),
        "implicit": bool(doc.get("implicit")), "stale": bool(doc.get("stale_since")),
        **({"derived": True, "networks": (doc.get("attributes") or {}).get("networks") or []}
           if doc.get("derived") else {}),
        "last_seen": last_seen(doc),
        # a derived link (OTEP tunnel) is never stored, so its card cannot be read later: it comes with it
        **({"hover": hover.card(doc, "link")} if doc.get("derived") else {}),
    }


def tooltips(hover: HoverSpec, nodes: list[dict]) -> dict[str, str]:
    """Each drawn type's one-line description, once per type rather than once per node."""
    return {t: hover.tooltips[t] for t in sorted({n.get("type") or "" for n in nodes}) if t in hover.tooltips}


def depths(focal: str, edges: list[tuple[str, str]]) -> dict[str, int]:
    """Hops from the focal object, links taken in either direction."""
    adj: dict[str, list[str]] = defaultdict(list)
    for s, t in edges:
        adj[s].append(t)
        adj[t].append(s)
    out = {focal: 0}
    queue = deque([focal])
    while queue:
        n = queue.popleft()
        for m in adj[n]:
            if m not in out:
                out[m] = out[n] + 1
                queue.append(m)
    return out


def build(focal: dict, objects: dict, links: list[dict], hover: HoverSpec, bounds: Bounds = Bounds(),
          where: dict | None = None) -> dict:
    """The bounded graph of a clique. `objects` maps `_id` -> inventory document; `links` are link documents.
    `where`, when given, is filled with where each object and link went ("objects"/"links": `_id` -> the id of
    the node or link drawing it), so a kept graph can take statuses read later (app.topology.graph_cache)."""
    fid = str(focal["_id"])
    docs = {str(k): v for k, v in objects.items()}
    docs.setdefault(fid, focal)
    dangling = [l for l in links if str(l.get("source")) not in docs or str(l.get("target")) not in docs]
    links = [l for l in links if str(l.get("source")) in docs and str(l.get("target")) in docs]
    depth = depths(fid, [(str(l["source"]), str(l["target"])) for l in links])

    far = 99_999
    order = sorted(docs, key=lambda i: (i != fid, depth.get(i, far), layer(docs[i].get("type") or ""),
                                        str(docs[i].get("host") or ""), name_of(docs[i]), i))
    beyond = [i for i in order if bounds.depth is not None and depth.get(i, far) > bounds.depth]
    within = [i for i in order if not (bounds.depth is not None and depth.get(i, far) > bounds.depth)]
    cap = max(1, min(bounds.max_nodes, HARD_MAX_NODES))
    kept, rest = within[:cap], within[cap:]

    groups = _aggregate(rest, docs, cap)
    shown: dict[str, str] = {i: i for i in kept}
    nodes = [node_of(docs[i], depth.get(i), i == fid) for i in kept]
    for key, members in groups.items():
        agg_id = "more|" + "|".join(p or "" for p in key)
        for i in members:
            shown[i] = agg_id
        nodes.append(_aggregate_node(agg_id, key, members, docs, depth))

    out_links, folded = _route_links(links, shown, hover, where)
    if where is not None:
        where["objects"] = shown
    beyond_by_type = Counter(docs[i].get("type") for i in beyond)
    return {
        "focal_point": {"id": fid, "object_id": focal.get("id"), "type": focal.get("type"), "name": name_of(focal)},
        "nodes": nodes, "links": out_links, "tooltips": tooltips(hover, nodes),
        "total": {"nodes": len(docs), "links": len(links) + len(dangling)},
        "bounds": {"depth": bounds.depth, "max_nodes": cap},
        "omitted": {
            "nodes": len(beyond) + len(rest), "links": len(links) + len(dangling) - sum(1 for l in out_links if not l.get("aggregate")),
            "beyond_depth": dict(sorted(beyond_by_type.items())),
            "aggregated": [{"type": k[0], "host": k[1], "count": len(v)} for k, v in groups.items()],
            "folded_links": folded, "dangling_links": len(dangling),
        },
        "status": worst([n["status"] for n in nodes] + [l["status"] for l in out_links]),
    }


def _aggregate(rest: list[str], docs: dict, cap: int) -> dict[tuple, list[str]]:
    """Left-over objects per (type, host); per type alone when that would make too many groups."""
    by_host: dict[tuple, list[str]] = defaultdict(list)
    for i in rest:
        d = docs[i]
        by_host[(d.get("type") or "object", d.get("host") or d.get("switch") or None)].append(i)
    if len(by_host) <= max(20, cap // 10):
        return dict(by_host)
    by_type: dict[tuple, list[str]] = defaultdict(list)
    for i in rest:
        by_type[(docs[i].get("type") or "object", None)].append(i)
    return dict(by_type)


def _aggregate_node(agg_id: str, key: tuple, members: list[str], docs: dict, depth: dict) -> dict:
    obj_type, host = key
    hosts = {docs[i].get("host") for i in members if docs[i].get("host")}
    where = f" on {host}" if host else (f" on {len(hosts)} hosts" if len(hosts) > 1 else "")
    return {
        "id": agg_id, "object_id": None, "type": obj_type, "aggregate": True, "count": len(members),
        "name": f"+{len(members)} more {obj_type}{where}", "host": host, "switch": None,
        "status": worst(status_of(docs[i]) for i in members), "status_text": None,
        "depth": min((depth[i] for i in members if i in depth), default=None), "focal": False,
        "stale": False, "last_seen": None,
        "hover": [["aggregated objects", len(members)], ["type", obj_type]] + ([["host", host]] if host else []),
    }


def _route_links(links: list[dict], shown: dict[str, str], hover: HoverSpec,
                 where: dict | None = None) -> tuple[list[dict], int]:
    """Links between shown objects as they are; links touching an aggregate merged per (ends, type)."""
    out: list[dict] = []
    merged: dict[tuple, dict] = {}
    folded = 0
    went: dict[str, str] = where.setdefault("links", {}) if where is not None else {}
    for l in links:
        s, t = shown.get(str(l["source"])), shown.get(str(l["target"]))
        if s is None or t is None:
            continue
        if s == str(l["source"]) and t == str(l["target"]):
            out.append(link_of(l, s, t, hover))
            went[str(l["_id"])] = out[-1]["id"]
            continue
        folded += 1
        if s == t:
            continue
        key = (s, t, l.get("link_type"))
        went[str(l["_id"])] = "more|" + "|".join(str(p) for p in key)
        if key not in merged:
            merged[key] = {"id": "more|" + "|".join(str(p) for p in key), "source": s, "target": t,
                           "link_type": l.get("link_type"), "link_name": "", "state": None, "status": None,
                           "host": l.get("host"), "implicit": False, "stale": False, "last_seen": None,
                           "aggregate": True, "count": 0, "hover": []}
        m = merged[key]
        m["count"] += 1
        m["link_name"] = f"{m['count']} × {l.get('link_type')}"
        m["status"] = worst([m["status"], status_of(l)])
        m["hover"] = [["aggregated links", m["count"]], ["link_type", l.get("link_type")]]
    return out + list(merged.values()), folded
