"""How A reaches B: the cheapest chain of links a packet could take between two objects, data plane first.

The nodes are states: an object and the network the packet is in (app.topology.datapath says where
it may go next); the chain's hops each carry one network and segment.

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
from typing import Callable

from app.topology.datapath import UNDERLAY
from app.topology.graph import status_of, worst
from app.topology.tunnels import segment

DATA_PLANE = frozenset({
    "instance-vnic", "vservice-vnic", "container-vnic", "vnic-vconnector", "vnic-vedge", "vconnector-vedge",
    "vedge-otep", "otep-vconnector", "vconnector-otep", "otep-host_pnic", "vedge-host_pnic", "vconnector-host_pnic",
    "vedge-provider_bridge", "provider_bridge-host_pnic", "host_pnic-switch_pnic", "switch_pnic-switch_pnic",
    "container-vedge", "pod-container", "otep-otep",
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
    kind: str                 # "link" | "tunnel" (a derived OTEP-to-OTEP edge) | "containment"
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
    by_object: dict = field(default_factory=dict)   # object -> its states reached (nodes that are states)

    def reach(self, n, d, prev=None) -> None:
        self.dist[n] = d
        if prev is not None:
            self.prev[n] = prev
        if isinstance(n, tuple):
            self.by_object.setdefault(n[0], set()).add(n)
        heapq.heappush(self.heap, (d, n))

    def meets(self, n) -> list:
        """This side's nodes that `n` (reached by the other side) meets: itself; for a state (object,
        network), the same object in the same network or where either side is not yet in one (""). Two
        sides never meet in the underlay (a packet goes down into it only to leave by a NIC), nor at an OTEP
        both reached from a tunnel (states (object, network, "tunnel"), up to the vNIC or router the packet
        is for): a host never relays from one tunnel into another."""
        if not isinstance(n, tuple):
            return [n] if n in self.dist else []
        oid, ctx = n[0], n[1]
        return [m for m in self.by_object.get(oid, ()) if ((m[1] == ctx and ctx != UNDERLAY) or not m[1] or not ctx)
                and not (len(m) > 2 and len(n) > 2)]

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


def _oid(n):
    """The object of a node (a state's first element, or the node itself)."""
    return n[0] if isinstance(n, tuple) else n


def _key(n) -> str:
    return str(_oid(n))


def shortest(source, target, neighbours: Neighbours, max_settled: int = MAX_SETTLED) -> dict:
    """{'found', 'chain': [(node, Step into it or None)], 'cost', 'stops'}; nodes are the ids (or states:
    (object id, network)) given and returned by `neighbours`."""
    if source == target:
        return {"found": True, "chain": [(source, None)], "cost": 0, "stops": None, "explored": 1}
    sides = (Side(), Side())
    for side, start in zip(sides, (source, target)):
        side.reach(start, 0)
    best, meet = float("inf"), None
    cache: dict = {}

    def met(i: int, n, d: float) -> None:
        nonlocal best, meet
        for m in sides[1 - i].meets(n):
            if d + sides[1 - i].dist[m] < best:
                best, meet = d + sides[1 - i].dist[m], ((n, m) if i == 0 else (m, n))

    met(0, source, 0)
    while True:
        tops = [s.top() for s in sides]
        if tops[0] + tops[1] >= best or (tops[0] == float("inf") and tops[1] == float("inf")):
            break
        if sum(len(s.settled) for s in sides) > max_settled:
            break
        # expand the side whose next level is cheaper to fetch (fewer waiting nodes), if it has any
        i = 0 if (tops[1] == float("inf") or (tops[0] != float("inf") and len(sides[0].heap) <= len(sides[1].heap))) else 1
        side = sides[i]
        d, batch = side.level()
        todo = [n for n in batch if n not in cache]
        if todo:
            cache.update(neighbours(todo))
        for n in batch:
            met(i, n, d)
            for step in cache.get(n, ()):
                nd = d + step.cost
                if nd < side.dist.get(step.other, float("inf")):
                    side.reach(step.other, nd, (n, step))
                    met(i, step.other, nd)
    explored = len(sides[0].dist) + len(sides[1].dist)
    if meet is None:
        return {"found": False, "chain": [], "cost": None, "explored": explored,
                "stops": [_stops(s) for s in sides]}
    return {"found": True, "chain": _chain(sides, meet), "cost": best, "stops": None, "explored": explored}


def _chain(sides: tuple[Side, Side], meet: tuple) -> list:
    """[(node, Step that reached it from the previous node)], source first; `meet` is the node where
    each side reached the other (the same object)."""
    left = []
    n = meet[0]
    while n in sides[0].prev:
        p, step = sides[0].prev[n]
        left.append((n, step))
        n = p
    chain = [(n, None)] + list(reversed(left))
    n = meet[1]
    while n in sides[1].prev:
        p, step = sides[1].prev[n]
        # walked from the target's side: the step runs p -> n, so from n the hop to p is the reverse
        chain.append((p, Step(n, step.cost, step.kind, step.link_type, step.link, not step.forward)))
        n = p
    return chain


def _stops(side: Side) -> dict:
    """Where a side's search ended: the farthest objects it reached (its own end aside, which it may reach
    again in a network), how many objects it reached, in which networks, and whether it reached all it could."""
    if not side.dist:
        return {"reached": 0, "farthest": []}
    start = _oid(next(n for n, d in side.dist.items() if d == 0))
    far = max(d for n, d in side.dist.items() if _oid(n) != start or not d)
    objects = list(dict.fromkeys(_oid(n) for n, d in side.dist.items() if d == far))
    networks = {n[1] for n in side.dist if isinstance(n, tuple) and n[1] and n[1] != UNDERLAY}
    return {"reached": len({_oid(n) for n in side.dist}), "farthest": objects[:10], "distance": far,
            "exhausted": side.top() == float("inf"), "networks": sorted(networks)}


def _context(n) -> str | None:
    return n[1] if isinstance(n, tuple) else None


def hop_networks(chain: list) -> list:
    """The network each hop carries: its state's, or, for the hops of an end not yet in one network, the
    network the path commits to next (up to a router, where networks change); the underlay as itself."""
    nets = []
    for i, (n, _) in enumerate(chain[1:], start=1):
        nets.append(_context(n) or _context(chain[i - 1][0]) or None)
    for order in (range(len(nets)), reversed(range(len(nets)))):
        last = None
        for i in order:
            if nets[i]:
                last = nets[i]
            elif last and chain[i + 1][1].link_type != "vservice-vnic":
                nets[i] = last
            else:
                last = None
    return nets


def describe(result: dict, docs: dict, source_doc: dict, target_doc: dict, nets: dict | None = None) -> dict:
    """The path for people: every hop's object, link type, network and segment, host and status, and the
    worst status on it. `docs` are inventory documents by id (the ends included), `nets` networks by id."""
    nets = nets or {}
    docs = {source_doc["id"]: source_doc, target_doc["id"]: target_doc, **docs}

    def node(n) -> dict:
        oid = _oid(n)
        d = docs.get(oid) or {}
        return {"id": _key(d.get("_id", oid)), "object_id": d.get("id", oid), "type": d.get("type"),
                "host": d.get("host"),
                "name": d.get("object_name") or d.get("name") or d.get("id") or _key(oid),
                "status": status_of(d) if d else None, "stale": bool(d.get("stale_since"))}

    out: dict = {"source": node(source_doc["id"]), "target": node(target_doc["id"]), "found": result["found"],
                 "explored": result.get("explored", 0)}
    if not result["found"]:
        out["hops"], out["nodes"], out["links"] = [], [], []
        out["worst_status"] = None
        out["stops"] = [{"reached": s["reached"], "distance": s.get("distance"), "exhausted": s.get("exhausted"),
                         "networks": [network_ref(i, nets) for i in s.get("networks", [])],
                         "farthest": [node(n) for n in s["farthest"]]} for s in result["stops"]]
        return out
    nodes = [node(n) for n, _ in result["chain"]]
    hops, links = [], []
    for i, ((n, step), net) in enumerate(zip(result["chain"][1:], hop_networks(result["chain"])), start=1):
        link = step.link or {}
        hop = {"from": nodes[i - 1]["id"], "to": nodes[i]["id"], "kind": step.kind, "link_type": step.link_type,
               "link_name": link.get("link_name") or "", "host": link.get("host") or nodes[i]["host"] or nodes[i - 1]["host"],
               "status": status_of(link) if link else None, "state": link.get("state"), "forward": step.forward,
               "cost": step.cost, **network_ref(net, nets)}
        if link:
            hop["link_id"] = _key(link["_id"])
            links.append({"id": hop["link_id"], "source": _key(link["source"]), "target": _key(link["target"]),
                          "link_type": step.link_type, "link_name": hop["link_name"], "status": hop["status"],
                          "host": link.get("host"), "network": hop["network"], "segment": hop["segment"],
                          **({"derived": True} if link.get("derived") else {})})
        hops.append(hop)
    out.update(nodes=nodes, hops=hops, links=links, cost=result["cost"],
               worst_status=worst([n["status"] for n in nodes] + [h["status"] for h in hops]))
    return out


def network_ref(net_id: str | None, nets: dict) -> dict:
    """{network, network_id, segment} of a hop: the network's name and its segment (`vxlan 521`)."""
    if net_id == UNDERLAY:
        return {"network": None, "network_id": None, "segment": UNDERLAY}
    net = nets.get(net_id) if net_id else None
    return {"network": (net.get("object_name") or net.get("name")) if net else net_id, "network_id": net_id,
            "segment": segment(net)}
