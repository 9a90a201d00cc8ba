"""How A reaches B: the cheapest chain of links between two objects, data plane first.

Weighted: a data-plane link (vNIC-vConnector-vEdge-OTEP/pNIC-switch port...) costs 1, a link to a
network (the segment both pNICs carry) 2, any other link 2, and a containment step (an object and
the host, instance or network holding it: how a host or a port reaches the data plane) 5, so
containment is taken only where no data-plane chain exists. Implicit links are never followed:
they hide the hops in between.

A bidirectional Dijkstra that expands a whole distance level at a time, asking `neighbours` for a
batch of objects at once (a few indexed queries per level, whatever the cloud's size), and stops
as soon as no cheaper meeting is possible. When the sides never meet it says where each stops.
"""

from __future__ import annotations

import heapq
from dataclasses import dataclass, field
from typing import Callable, Iterable

from app.topology.graph import status_of, worst

DATA_PLANE = frozenset({
    "instance-vnic", "vservice-vnic", "container-vnic", "vnic-vconnector", "vnic-vedge", "vconnector-vedge",
    "vedge-otep", "otep-vconnector", "vconnector-otep", "otep-host_pnic", "vedge-host_pnic", "vconnector-host_pnic",
    "vedge-provider_bridge", "provider_bridge-host_pnic", "host_pnic-switch_pnic", "switch_pnic-switch_pnic",
    "container-vedge", "pod-container",
})
WEIGHTS = {"host_pnic-network": 2, "switch-switch_pnic": 3}
OTHER_LINK, CONTAINMENT = 2, 5
MAX_SETTLED = 50_000


def weight(link_type: str) -> int:
    if link_type in DATA_PLANE:
        return 1
    return WEIGHTS.get(link_type, OTHER_LINK)


@dataclass(frozen=True)
class Step:
    """One way out of an object: to `other`, at `cost`, through a link or a containment step."""

    other: object
    cost: int
    kind: str                 # "link" | "containment"
    link_type: str
    link: dict | None = None  # the link document (None for containment)
    forward: bool = True      # the link runs from this object to `other`


Neighbours = Callable[[list], dict]   # batch of object ids -> {object id: [Step, ...]}


@dataclass
class Side:
    dist: dict = field(default_factory=dict)
    prev: dict = field(default_factory=dict)     # node -> (previous node, Step from it)
    heap: list = field(default_factory=list)
    settled: set = field(default_factory=set)

    def top(self) -> float:
        while self.heap and self.heap[0][1] in self.settled:
            heapq.heappop(self.heap)
        return self.heap[0][0] if self.heap else float("inf")

    def level(self) -> tuple[int, list]:
        """Pop every unsettled node at the smallest distance."""
        d = self.top()
        batch = []
        while self.heap and self.heap[0][0] == d:
            _, n = heapq.heappop(self.heap)
            if n not in self.settled:
                self.settled.add(n)
                batch.append(n)
        return d, batch


def _key(n) -> str:
    return str(n)


def shortest(source, target, neighbours: Neighbours, max_settled: int = MAX_SETTLED) -> dict:
    """{'found', 'chain': [(node, Step into it or None)], 'cost', 'stops'}; nodes are the ids given/returned."""
    if source == target:
        return {"found": True, "chain": [(source, None)], "cost": 0, "stops": None, "explored": 1}
    sides = (Side(), Side())
    for side, start in zip(sides, (source, target)):
        side.dist[start] = 0
        heapq.heappush(side.heap, (0, start))
    best, meet = float("inf"), None
    cache: dict = {}
    while True:
        tops = [s.top() for s in sides]
        if tops[0] + tops[1] >= best or (tops[0] == float("inf") and tops[1] == float("inf")):
            break
        if sum(len(s.settled) for s in sides) > max_settled:
            break
        # expand the side whose next level is cheaper to fetch (fewer waiting nodes), if it has any
        i = 0 if (tops[1] == float("inf") or (tops[0] != float("inf") and len(sides[0].heap) <= len(sides[1].heap))) else 1
        side, other = sides[i], sides[1 - i]
        d, batch = side.level()
        todo = [n for n in batch if n not in cache]
        if todo:
            cache.update(neighbours(todo))
        for n in batch:
            if n in other.dist and d + other.dist[n] < best:
                best, meet = d + other.dist[n], n
            for step in cache.get(n, ()):
                nd = d + step.cost
                if nd < side.dist.get(step.other, float("inf")):
                    side.dist[step.other] = nd
                    side.prev[step.other] = (n, step)
                    heapq.heappush(side.heap, (nd, step.other))
                    if step.other in other.dist and nd + other.dist[step.other] < best:
                        best, meet = nd + other.dist[step.other], step.other
    explored = len(sides[0].dist) + len(sides[1].dist)
    if meet is None:
        return {"found": False, "chain": [], "cost": None, "explored": explored,
                "stops": [_stops(s) for s in sides]}
    return {"found": True, "chain": _chain(sides, meet), "cost": best, "stops": None, "explored": explored}


def _chain(sides: tuple[Side, Side], meet) -> list:
    """[(node, Step that reached it from the previous node)], source first."""
    left = []
    n = meet
    while n in sides[0].prev:
        p, step = sides[0].prev[n]
        left.append((n, step))
        n = p
    chain = [(n, None)] + list(reversed(left))
    n = meet
    while n in sides[1].prev:
        p, step = sides[1].prev[n]
        # walked from the target's side: the step runs p -> n, so from n the hop to p is the reverse
        chain.append((p, Step(n, step.cost, step.kind, step.link_type, step.link, not step.forward)))
        n = p
    return chain


def _stops(side: Side) -> dict:
    """Where a side's search ended: the farthest objects it reached, and how many it reached."""
    if not side.dist:
        return {"reached": 0, "farthest": []}
    far = max(side.dist.values())
    return {"reached": len(side.dist), "farthest": [n for n, d in side.dist.items() if d == far][:10],
            "distance": far}


def describe(result: dict, docs: dict, source_doc: dict, target_doc: dict) -> dict:
    """The path for people: every hop's object, link type, host and status, and the worst status on it."""

    def node(n) -> dict:
        d = docs.get(n) or {}
        return {"id": _key(d.get("_id", n)), "object_id": d.get("id", n), "type": d.get("type"), "host": d.get("host"),
                "name": d.get("object_name") or d.get("name") or d.get("id") or _key(n),
                "status": status_of(d) if d else None, "stale": bool(d.get("stale_since"))}

    out: dict = {"source": node(source_doc["id"]), "target": node(target_doc["id"]), "found": result["found"],
                 "explored": result.get("explored", 0)}
    if not result["found"]:
        out["hops"], out["nodes"], out["links"] = [], [], []
        out["worst_status"] = None
        out["stops"] = [{"reached": s["reached"], "distance": s.get("distance"),
                         "farthest": [node(n) for n in s["farthest"]]} for s in result["stops"]]
        return out
    nodes = [node(n) for n, _ in result["chain"]]
    hops, links = [], []
    for i, (n, step) in enumerate(result["chain"][1:], start=1):
        link = step.link or {}
        hop = {"from": nodes[i - 1]["id"], "to": nodes[i]["id"], "kind": step.kind, "link_type": step.link_type,
               "link_name": link.get("link_name") or "", "host": link.get("host") or nodes[i]["host"] or nodes[i - 1]["host"],
               "status": status_of(link) if link else None, "state": link.get("state"), "forward": step.forward,
               "cost": step.cost}
        if link:
            hop["link_id"] = _key(link["_id"])
            links.append({"id": hop["link_id"], "source": _key(link["source"]), "target": _key(link["target"]),
                          "link_type": step.link_type, "link_name": hop["link_name"], "status": hop["status"],
                          "host": link.get("host")})
        hops.append(hop)
    out.update(nodes=nodes, hops=hops, links=links, cost=result["cost"],
               worst_status=worst([n["status"] for n in nodes] + [h["status"] for h in hops]))
    return out


def steps_from_links(links: Iterable[dict], batch: set) -> dict:
    """The link steps out of each object of `batch` (inventory ids; links run both ways; implicit and
    stale ones are skipped)."""
    out: dict = {}
    seen: set = set()
    for l in links:
        if l.get("implicit") or l.get("stale_since") or l["_id"] in seen:
            continue
        seen.add(l["_id"])
        lt = l.get("link_type") or ""
        if l["source_id"] in batch:
            out.setdefault(l["source_id"], []).append(Step(l["target_id"], weight(lt), "link", lt, l, True))
        if l["target_id"] in batch:
            out.setdefault(l["target_id"], []).append(Step(l["source_id"], weight(lt), "link", lt, l, False))
    return out
