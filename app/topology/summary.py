"""A large clique as boxes built on the server: hosts folded into summary nodes, expanded on demand.

Above a size, a graph of every object is unreadable (a 968-object network clique was a grid of
100 host boxes and a fan of long edges). Here each host (or switch) becomes one node that says
how many objects of which types it holds and their worst status; links between two summaries,
or between a summary and a shown object, become one aggregated edge with a count and a worst
status. When there are more hosts than a page can show, hosts in error or warning stay single
(worst first) and the others are folded once more into runs of hosts by name. `expand` names the
hosts (`host:<name>`) and runs (`hosts:<first>|<last>`) the user opened; their members are shown.

Only light projections are read for the folded part (type, host, name, status), so a clique
of 10,000 hosts costs a few batched reads; full documents (for hover cards) are read only for
the objects drawn one by one.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable, Iterable

from app.topology.graph import STATUSES, link_of, name_of, node_of, status_of, worst
from app.topology.hover import HoverSpec

LIGHT = {"_id": 1, "id": 1, "type": 1, "host": 1, "switch": 1, "name": 1, "object_name": 1, "status": 1,
         "status_value": 1, "stale_since": 1}
LIGHT_LINK = {"_id": 1, "source": 1, "target": 1, "link_type": 1, "status": 1, "status_value": 1}
HOSTS_SHOWN = 60          # single host nodes at most before runs of hosts are made
RUNS = 40                 # runs of hosts at most
DRAWN_CAP = 2000          # objects drawn one by one at most (expanded hosts included)


@dataclass(frozen=True)
class Grouping:
    expand: frozenset[str] = frozenset()
    hosts_shown: int = HOSTS_SHOWN
    runs: int = RUNS


def _where(doc: dict) -> tuple[str, str] | None:
    for kind in ("host", "switch"):
        if isinstance(doc.get(kind), str) and doc[kind]:
            return kind, doc[kind]
    return None


def _rank(status: str | None) -> int:
    return -(STATUSES.index(status) if status in STATUSES else -1)


def _run_key(run: list[tuple]) -> str:
    return f"hosts:{run[0][1]}|{run[-1][1]}"


def _groups(docs: dict, fid: str, g: Grouping) -> tuple[dict[str, str], dict[str, dict]]:
    """(object -> summary key for folded objects, summary key -> its description).

    Runs are cut from every host that is not failing, opened or not, so opening a host inside an
    opened run keeps the run's key (and the run open)."""
    by_place: dict[tuple, list[str]] = defaultdict(list)
    for i, d in docs.items():
        where = _where(d)
        if where and i != fid:
            by_place[where].append(i)
    status = {p: worst(status_of(docs[i]) for i in members) for p, members in by_place.items()}
    places = sorted(by_place, key=lambda p: (p[0] != "host", _rank(status[p]), p[1]))
    key_of = {p: f"{p[0]}:{p[1]}" for p in places}
    single, runs = list(places), []
    if len(places) > g.hosts_shown:
        single = [p for p in places if status[p] in ("Error", "Warning")][:g.hosts_shown // 2]
        chosen = set(single)
        rest = sorted((p for p in places if p not in chosen), key=lambda p: (p[0], p[1]))
        size = max(2, math.ceil(len(rest) / g.runs))
        for run in (rest[i:i + size] for i in range(0, len(rest), size)):
            if _run_key(run) in g.expand:
                single += run
            else:
                runs.append(run)
    folded: dict[str, str] = {}
    about: dict[str, dict] = {}
    for p in single:
        if key_of[p] in g.expand:
            continue          # opened: its members are drawn one by one
        about[key_of[p]] = {"kind": p[0], "name": p[1], "members": by_place[p], "hosts": 1, "status": status[p]}
        folded.update({i: key_of[p] for i in by_place[p]})
    for run in runs:
        shut = [p for p in run if key_of[p] not in g.expand]
        if not shut:
            continue
        key = _run_key(run)
        members = [i for p in shut for i in by_place[p]]
        about[key] = {"kind": "hosts", "name": f"{run[0][1]} … {run[-1][1]}", "members": members,
                      "hosts": len(shut), "status": worst(status[p] for p in shut)}
        folded.update({i: key for i in members})
    return folded, about


def _summary_node(key: str, about: dict, docs: dict) -> dict:
    types = Counter(docs[i].get("type") or "object" for i in about["members"])
    n = len(about["members"])
    name = about["name"]
    hover = [["objects", n]] + ([["hosts", about["hosts"]]] if about["kind"] == "hosts" else [])
    hover += [[t, c] for t, c in sorted(types.items(), key=lambda tc: (-tc[1], tc[0]))]
    return {"id": "group|" + key, "object_id": about["name"] if about["kind"] == "host" else None,
            "type": about["kind"], "summary": True, "aggregate": True, "expand": key, "count": n,
            "hosts": about["hosts"], "counts": dict(types), "name": name, "host": None, "switch": None,
            "status": about["status"], "status_text": None, "depth": None, "focal": False, "stale": False,
            "last_seen": None, "tooltip": None, "hover": hover}


def summarize(focal: dict, docs: dict, links: list[dict], hover: HoverSpec, grouping: Grouping,
              full: Callable[[Iterable], dict], full_links: Callable[[Iterable], list[dict]]) -> dict:
    """The clique's graph with hosts folded. `docs`/`links` are light (LIGHT, LIGHT_LINK projections);
    `full(oids)` and `full_links(oids)` read whole documents for what is drawn one by one."""
    fid = str(focal["_id"])
    docs = {str(k): v for k, v in docs.items()}
    docs.setdefault(fid, focal)
    folded, about = _groups(docs, fid, grouping)
    drawn = [i for i in docs if i not in folded]
    capped = len(drawn) > DRAWN_CAP
    if capped:     # too much opened: keep the focal object and the first others
        drawn = [fid] + [i for i in drawn if i != fid][:DRAWN_CAP - 1]
        kept = set(drawn)
        folded.update({i: None for i in docs if i not in kept and i not in folded})
    whole = {str(k): v for k, v in full(drawn).items()}
    nodes = [node_of(whole.get(i, docs[i]), hover, None, i == fid) for i in drawn]
    nodes += [_summary_node(key, a, docs) for key, a in about.items()]
    rep = {i: "group|" + k for i, k in folded.items() if k}
    rep.update({i: i for i in drawn})
    plain_ids, merged = [], {}
    for l in links:
        s, t = rep.get(str(l["source"])), rep.get(str(l["target"]))
        if s is None or t is None:
            continue
        if s == str(l["source"]) and t == str(l["target"]):
            plain_ids.append(l["_id"])
            continue
        if s == t:
            continue
        key = (s, t) if s < t else (t, s)
        m = merged.setdefault(key, {"id": "group|" + "|".join(key), "source": key[0], "target": key[1],
                                    "link_type": None, "link_name": "", "state": None, "status": None, "host": None,
                                    "implicit": False, "stale": False, "last_seen": None, "aggregate": True,
                                    "count": 0, "types": Counter(), "hover": []})
        m["count"] += 1
        m["types"][l.get("link_type") or "link"] += 1
        m["status"] = worst([m["status"], status_of(l)])
    out_links = [link_of(l, str(l["source"]), str(l["target"]), hover) for l in full_links(plain_ids)]
    for m in merged.values():
        types = m.pop("types")
        m["link_type"] = next(iter(types)) if len(types) == 1 else "mixed"
        m["link_name"] = f"{m['count']} links"
        m["hover"] = [["aggregated links", m["count"]]] + [[t, c] for t, c in sorted(types.items())]
        out_links.append(m)
    return {
        "focal_point": {"id": fid, "object_id": focal.get("id"), "type": focal.get("type"), "name": name_of(focal)},
        "nodes": nodes, "links": out_links,
        "total": {"nodes": len(docs), "links": len(links)},
        "bounds": {"depth": None, "max_nodes": DRAWN_CAP},
        "grouped": {"summaries": len(about), "expanded": sorted(grouping.expand), "drawn": len(drawn),
                    "capped": capped, "hosts": sum(a["hosts"] for a in about.values())},
        "omitted": {"nodes": len(docs) - len(drawn), "links": len(links) - len(out_links), "beyond_depth": {},
                    "aggregated": [], "folded_links": sum(m["count"] for m in merged.values()), "dangling_links": 0},
        "status": worst([n["status"] for n in nodes] + [l["status"] for l in out_links]),
    }
