"""A large clique as boxes built on the server: hosts folded into summary nodes, expanded on demand.

Above a size, a graph of every object is unreadable (a 968-object network clique was a grid of
100 host boxes and a fan of long edges). Here each host (or switch) becomes one node that says
how many objects of which types it holds and their worst status; links between two summaries,
or between a summary and a shown object, become one aggregated edge with a count and a worst
status. When there are more hosts than a page can show, hosts in error or warning stay single
(worst first) and the others are folded once more into runs of hosts by name. `expand` names the
hosts (`host:<name>`) and runs (`hosts:<first>|<last>`) the user opened; their members are shown.

The graph is assembled from the clique's stored summary (app.topology.summary_store: counts per
host, links per pair of hosts), never from its 40,000 objects: a request reads that one document,
what fails now (the `status` index: a few rows), the places it opens, and whole documents only
for the objects drawn one by one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from app.store.keys import as_object_id
from app.store.store import Store
from app.topology.graph import STATUSES, failing_filter, link_of, name_of, node_of, status_of, tooltips, worst
from app.topology.hover import HoverSpec
from app.topology.summary_store import PLACES, place_id, place_of

HOSTS_SHOWN = 60          # single host nodes at most before runs of hosts are made
RUNS = 40                 # runs of hosts at most
DRAWN_CAP = 2000          # objects drawn one by one at most (expanded hosts included)


@dataclass(frozen=True)
class Grouping:
    expand: frozenset[str] = frozenset()
    hosts_shown: int = HOSTS_SHOWN
    runs: int = RUNS


def _rank(status: str | None) -> int:
    return -(STATUSES.index(status) if status in STATUSES else -1)


def _run_key(run: list[str]) -> str:
    return f"hosts:{run[0].split(':', 1)[1]}|{run[-1].split(':', 1)[1]}"


class Places:
    """The clique's place documents (members and links of one host), read on demand and kept for the request."""

    def __init__(self, store: Store, clique_id, kept: dict | None):
        self.store, self.clique_id, self._kept = store, clique_id, dict(kept or {})
        self._stored = kept is None

    def get(self, keys: Iterable[str]) -> dict[str, dict]:
        keys = set(keys)
        missing = [p for p in keys if p not in self._kept]
        if missing and self._stored:
            ids = [place_id(self.clique_id, p) for p in missing]
            for start in range(0, len(ids), 1000):
                for d in self.store[PLACES].find({"_id": {"$in": ids[start:start + 1000]}}):
                    self._kept[d["key"]] = d
        return {p: self._kept[p] for p in keys if p in self._kept}


def _failing(store: Store, env: str) -> tuple[dict, dict]:
    """What fails now in `env`: objects (with their place) and links, by `_id` string."""
    query = failing_filter(store)
    out = []
    for coll, ends in (("inventory", ("host", "switch")), ("links", ("source", "target"))):
        fields = dict.fromkeys(("_id", "environment", "status", "status_value") + ends, 1)
        out.append({str(d["_id"]): d for d in store[coll].find(query, fields)
                    if d.get("environment") == env and status_of(d) in ("Warning", "Error")})
    return out[0], out[1]


def _live(store: Store, summary: dict, places: Places) -> tuple[dict[str, str | None], dict, dict]:
    """(place -> worst status now, place-level edge (a, b) -> worst status now, link id -> status now)."""
    info = {p[0]: p for p in summary["places"]}
    status = {p: info[p][3] for p in info}
    objects, links = _failing(store, summary["environment"])
    ends = {str(e) for l in links.values() for e in (l.get("source"), l.get("target")) if e is not None}
    end_docs = {str(d["_id"]): d for d in store["inventory"].find(
        {"_id": {"$in": [as_object_id(e) for e in ends - objects.keys()]}}, {"_id": 1, "host": 1, "switch": 1})} \
        if ends - objects.keys() else {}
    end_docs.update(objects)
    wanted = {place_of(d) for d in objects.values()} | {place_of(d) for d in end_docs.values()}
    read = places.get(wanted & info.keys())
    for p, doc in read.items():
        members = set(doc["members"])
        status[p] = worst([status[p]] + [status_of(objects[i]) for i in members & objects.keys()])
    link_status = {lid: status_of(l) for lid, l in links.items()}
    edge_status: dict[tuple, str | None] = {}
    for doc in read.values():
        for lid, s, t, sp, tp, _, _ in doc["links"]:
            if lid in link_status:
                a, b = sp or s, tp or t
                key = (a, b) if a < b else (b, a)
                edge_status[key] = worst([edge_status.get(key), link_status[lid]])
    return status, edge_status, link_status


def _groups(info: dict, status: dict, g: Grouping) -> tuple[dict[str, str], dict[str, dict], set[str]]:
    """(place -> summary key of its node, summary key -> its description, opened places).

    Runs are cut from every host that is not failing, opened or not, so opening a host inside an
    opened run keeps the run's key (and the run open)."""
    places = sorted(info, key=lambda p: (not p.startswith("host:"), _rank(status[p]), p))
    single, runs = list(places), []
    if len(places) > g.hosts_shown:
        single = [p for p in places if status[p] in ("Error", "Warning")][:g.hosts_shown // 2]
        chosen = set(single)
        rest = sorted((p for p in places if p not in chosen), key=lambda p: (not p.startswith("host:"), p))
        size = max(2, math.ceil(len(rest) / g.runs))
        for run in (rest[i:i + size] for i in range(0, len(rest), size)):
            if _run_key(run) in g.expand:
                single += run
            else:
                runs.append(run)
    folded: dict[str, str] = {}
    about: dict[str, dict] = {}
    opened = set()
    for p in single:
        if p in g.expand:
            opened.add(p)
            continue
        kind, name = p.split(":", 1)
        about[p] = {"kind": kind, "name": name, "places": [p], "hosts": 1, "status": status[p]}
        folded[p] = p
    for run in runs:
        shut = [p for p in run if p not in g.expand]
        opened.update(p for p in run if p in g.expand)
        if not shut:
            continue
        key = _run_key(run)
        about[key] = {"kind": "hosts", "name": f"{run[0].split(':', 1)[1]} … {run[-1].split(':', 1)[1]}",
                      "places": shut, "hosts": len(shut), "status": worst(status[p] for p in shut)}
        folded.update({p: key for p in shut})
    return folded, about, opened


def _summary_node(key: str, about: dict, info: dict) -> dict:
    types: Counter = Counter()
    for p in about["places"]:
        for t, c in info[p][2]:
            types[t] += c
    n = sum(types.values())
    hover = [["objects", n]] + ([["hosts", about["hosts"]]] if about["kind"] == "hosts" else [])
    hover += [[t, c] for t, c in sorted(types.items(), key=lambda tc: (-tc[1], tc[0]))]
    return {"id": "group|" + key, "object_id": about["name"] if about["kind"] == "host" else None,
            "type": about["kind"], "summary": True, "aggregate": True, "expand": key, "count": n,
            "hosts": about["hosts"], "counts": dict(types), "name": about["name"], "host": None, "switch": None,
            "status": about["status"], "status_text": None, "depth": None, "focal": False, "stale": False,
            "last_seen": None, "hover": hover}


class _Edges:
    """Aggregated edges between summaries, or a summary and a drawn object."""

    def __init__(self):
        self.merged: dict[tuple, dict] = {}

    def add(self, s: str, t: str, count: int, types: Iterable[tuple[str, int]], status: str | None) -> None:
        if s == t:
            return
        key = (s, t) if s < t else (t, s)
        m = self.merged.setdefault(key, {"id": "group|" + "|".join(key), "source": key[0], "target": key[1],
                                         "link_type": None, "link_name": "", "state": None, "status": None,
                                         "host": None, "implicit": False, "stale": False, "last_seen": None,
                                         "aggregate": True, "count": 0, "types": Counter(), "hover": []})
        m["count"] += count
        for t, c in types:
            m["types"][t] += c
        if status != m["status"] and status in STATUSES:
            m["status"] = worst([m["status"], status])

    def out(self) -> list[dict]:
        done = []
        for m in self.merged.values():
            types = m.pop("types")
            m["link_type"] = next(iter(types)) if len(types) == 1 else "mixed"
            m["link_name"] = f"{m['count']} links"
            m["hover"] = [["aggregated links", m["count"]]] + [[t, c] for t, c in sorted(types.items())]
            done.append(m)
        return done


def summarize(store: Store, summary: dict, kept_places: dict | None, hover: HoverSpec, grouping: Grouping,
              full: Callable[[Iterable], dict], full_links: Callable[[Iterable], list[dict]]) -> dict:
    """The clique's graph with hosts folded, from its summary (app.topology.summary_store) and what fails now.
    `kept_places`: its place documents when they are not stored; `full(oids)` and `full_links(oids)` read
    whole documents for what is drawn one by one."""
    info = {p[0]: p for p in summary["places"]}
    places = Places(store, summary["_id"], kept_places)
    status, edge_status, link_status = _live(store, summary, places)
    folded, about, opened = _groups(info, status, grouping)
    fid = summary["focal"]
    drawn = [fid] + [i for i in summary["loose"] if i != fid]
    capped = len(drawn) > DRAWN_CAP
    drawn = drawn[:DRAWN_CAP]
    opened_docs = places.get(opened)
    for p in sorted(opened, key=lambda p: (_rank(status[p]), p)):
        members = opened_docs.get(p, {}).get("members", [])
        if len(drawn) + len(members) > DRAWN_CAP:   # too much opened: this one stays a summary
            capped = True
            kind, name = p.split(":", 1)
            about[p] = {"kind": kind, "name": name, "places": [p], "hosts": 1, "status": status[p]}
            folded[p] = p
            continue
        drawn += members
    shown = set(drawn)
    opened = {p for p in opened if p not in folded}

    def rep(oid: str, place: str | None) -> str | None:
        if place is None or place in opened:
            return oid if oid in shown else None
        return "group|" + folded[place] if place in folded else None

    edges, plain = _Edges(), []
    for a, b, n, types, base in summary["edges"]:
        if a in opened or b in opened:
            continue          # drawn from the opened place's own links below
        ra = "group|" + folded[a] if a in info else (a if a in shown else None)
        rb = "group|" + folded[b] if b in info else (b if b in shown else None)
        if ra and rb:
            edges.add(ra, rb, n, types, worst([base, edge_status.get((a, b) if a < b else (b, a))]))
    seen = set()
    for p in sorted(opened):
        for lid, s, t, sp, tp, ltype, base in opened_docs[p]["links"]:
            if lid in seen:
                continue
            seen.add(lid)
            rs, rt = rep(s, sp), rep(t, tp)
            if rs is None or rt is None:
                continue
            if rs == s and rt == t:
                plain.append(lid)
            else:
                edges.add(rs, rt, 1, [(ltype, 1)], worst([base, link_status.get(lid)]))
    plain += [lid for lid, s, t, *_ in summary["loose_links"] if s in shown and t in shown]
    whole = {str(i): d for i, d in full(drawn).items()}
    nodes = [node_of(whole[i], None, i == fid) for i in drawn if i in whole]
    nodes += [_summary_node(key, a, info) for key, a in about.items()]
    out_links = [link_of(l, str(l["source"]), str(l["target"]), hover) for l in full_links(plain)]
    folded_links = edges.out()
    total = {"nodes": summary["nodes"], "links": summary["links"]}
    return {
        "focal_point": {"id": fid, "object_id": (whole.get(fid) or {}).get("id"),
                        "type": (whole.get(fid) or {}).get("type"), "name": name_of(whole.get(fid) or {"id": fid})},
        "nodes": nodes, "links": out_links + folded_links, "tooltips": tooltips(hover, nodes), "total": total,
        "bounds": {"depth": None, "max_nodes": DRAWN_CAP},
        "grouped": {"summaries": len(about), "expanded": sorted(grouping.expand), "drawn": len(drawn),
                    "capped": capped, "hosts": sum(a["hosts"] for a in about.values())},
        "omitted": {"nodes": total["nodes"] - len(drawn), "links": total["links"] - len(out_links),
                    "beyond_depth": {}, "aggregated": [], "folded_links": sum(m["count"] for m in folded_links),
                    "dangling_links": 0},
        "status": worst([n["status"] for n in nodes] + [l["status"] for l in out_links + folded_links]),
    }
