"""Large clique graphs kept in the API process, so opening one again does not read and build it again.

Reading a 2,000-object clique (its 4,000 links and 2,000 objects, one document each) and building its
graph took most of the graph page's first second; the same clique is opened again and again (by the
same person going back, by the next person, by the page's refresh), and between scans it is the same
graph. A kept graph stands for the clique's content hash, the environment's change marker
(`changes_state.seq`: every scan and listener write that changed something moves it), the hover
attributes and the bounds asked for; when any differs it is built again.

Statuses are not frozen in it, as in the stored summaries (app.topology.summary_store): monitoring
writes statuses without a change-log entry, so each element keeps only whether it is monitored ("OK")
or not (None), and what fails now (Warning, Error) is read at every request through the `status`
index and laid over the kept graph: a failing object colours its node, or the "+N more" node that holds
it; a failing link its line, or the merged line that holds it. An element seen failing is monitored
from then on (green once it heals). What this does not see: an object that monitoring starts checking
and finds well stays uncoloured until the next logged change or the process's restart.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Callable

from app.plain import plain
from app.store.store import Store
from app.topology.graph import failing_filter, status_of, worst

KEEP_ABOVE = 500       # graphs of cliques with more objects than this are kept (smaller ones build fast)
KEEP_AT_MOST = 6       # graphs kept per process: a 2,000-object graph is ~6 MB of Python objects


@dataclass(frozen=True)
class Kept:
    """A built graph as monitored-or-not, and where each object and link of the clique is drawn."""

    graph: dict
    node_at: dict[str, int]          # node id -> index in graph["nodes"]
    link_at: dict[str, int]          # link id -> index in graph["links"]
    objects: dict[str, str]          # object _id -> the node drawing it
    links: dict[str, str]            # link _id -> the link drawing it


def hover_rows(store: Store) -> list[dict]:
    """The hover attributes as stored (a kept graph's derived links carry cards made from them)."""
    return list(store["attributes_for_hover_on_data"].find({}, {"_id": 0}))


def key_of(clique: dict, marker: int, hover_rows: list[dict], bounds: tuple) -> tuple | None:
    """What a kept graph stands for; None when the clique has no content hash (written by an older version)."""
    if not clique.get("_hash"):
        return None
    hover = hashlib.sha1(json.dumps(plain(hover_rows), sort_keys=True).encode()).hexdigest()
    return (clique["environment"], str(clique["_id"]), clique["_hash"], marker, hover, bounds)


def baseline(graph: dict, where: dict) -> Kept:
    """The graph with each status made 'monitored or not' (failures are laid over per request), plain for JSON."""
    graph = plain(graph)
    for part in ("nodes", "links"):
        for e in graph[part]:
            was = e.get("status")
            e["status"] = "OK" if was is not None else None
            if part == "nodes" and was != "OK":
                e["status_text"] = None     # a failure's text goes with the failure, read live
    graph["status"] = worst([e["status"] for e in graph["nodes"]] + [e["status"] for e in graph["links"]])
    return Kept(graph, {n["id"]: i for i, n in enumerate(graph["nodes"])},
                {l["id"]: i for i, l in enumerate(graph["links"])}, dict(where.get("objects") or {}),
                dict(where.get("links") or {}))


def failing(store: Store, env: str) -> tuple[dict[str, dict], dict[str, dict]]:
    """What fails now in `env`: objects and links by `_id` string (read from the `status` index)."""
    query = failing_filter(store)
    out = []
    for coll in ("inventory", "links"):
        fields = {"_id": 1, "environment": 1, "status": 1, "status_value": 1, "status_text": 1}
        out.append({str(d["_id"]): d for d in store[coll].find(query, fields)
                    if d.get("environment") == env and status_of(d) in ("Warning", "Error")})
    return out[0], out[1]


def with_failures(kept: Kept, objects: dict[str, dict], links: dict[str, dict]) -> dict:
    """A copy of the kept graph (sharing the untouched elements) with what fails now laid over it."""
    graph = dict(kept.graph)
    nodes, out_links = list(graph["nodes"]), list(graph["links"])
    statuses = [graph["status"]]
    for failed, drawn_in, at, elements in ((objects, kept.objects, kept.node_at, nodes),
                                           (links, kept.links, kept.link_at, out_links)):
        for oid, doc in failed.items():
            drawn = drawn_in.get(oid)
            i = at.get(drawn) if drawn is not None else None
            if i is None:
                continue
            base = elements[i]
            if base["status"] is None:      # seen failing, so monitored: "OK" once it heals, as a new build says
                base = dict(base, status="OK")
                (kept.graph["nodes"] if elements is nodes else kept.graph["links"])[i] = base
            e = dict(base)
            e["status"] = worst([e["status"], status_of(doc)])
            if drawn == oid and "status_text" in e:      # the object itself, not a "+N more" holding it
                e["status_text"] = plain(doc.get("status_text"))
            elements[i] = e
            statuses.append(e["status"])
    graph.update(nodes=nodes, links=out_links, status=worst(statuses))
    return graph


class GraphCache:
    """The last few large graphs built, by what they stand for (least recently used dropped first)."""

    def __init__(self, keep: int = KEEP_AT_MOST, above: int = KEEP_ABOVE):
        self.keep, self.above = keep, above
        self._kept: OrderedDict[tuple, Kept] = OrderedDict()
        self._lock = threading.Lock()

    def graph(self, store: Store, env: str, key: tuple | None, objects: int,
              make: Callable[[dict], dict]) -> tuple[dict, bool]:
        """(graph, whether it is plain): for a clique of more than `above` objects, the kept graph for `key` (made
        by `make(where)` when missing) with what fails now; for a smaller one, or without a key, as `make` builds it."""
        if key is None or objects <= self.above:
            return make({}), False
        kept = self._get(key)
        if kept is None:
            where: dict = {}
            kept = baseline(make(where), where)
            self._put(key, kept)
        return with_failures(kept, *failing(store, env)), True

    def _get(self, key: tuple) -> Kept | None:
        with self._lock:
            kept = self._kept.get(key)
            if kept is not None:
                self._kept.move_to_end(key)
            return kept

    def _put(self, key: tuple, kept: Kept) -> None:
        with self._lock:
            stale = [k for k in self._kept if k[:2] == key[:2] and k[2:5] != key[2:5]]   # the clique as it was
            for k in stale:
                del self._kept[k]
            self._kept[key] = kept
            while len(self._kept) > self.keep:
                self._kept.popitem(last=False)
