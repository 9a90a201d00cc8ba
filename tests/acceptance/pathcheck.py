"""Paths between instances checked against the datapath.

Two checks of what `calipso path` answers for every pair of active instances:
- an independent walk says whether a packet could go at all: a server's NIC joins its network's segment on
  its host when its tap is plugged; a segment joins the same network on another host through a tunnel the
  two hosts really have (OVS br-tun ports, Linux bridge vxlan forwarding entries) or, for VLAN and flat
  networks, through the provider bridges' wiring; a router joins the networks it has a plumbed interface on;
  an instance is an end, never a hop. Calipso's "path" / "no path" must agree with the walk;
- each hop of a path found must be real: consecutive objects that stand for datapath nodes are joined there
  (logical objects such as networks and ports are passed over), and no instance is a hop.
"""

from __future__ import annotations

from collections import deque

from tests.acceptance.cloud import Cloud
from tests.acceptance.datapath import Datapath
from tests.acceptance.linkcheck import TUNNELS, adjacent, mapped, nodes_of
from tests.acceptance.table import Row


def connected(dp: Datapath, a: str, b: str, limit: int = 8) -> bool:
    """Any route between two datapath nodes within `limit` steps (the provider bridges' wiring)."""
    seen, frontier = {a}, [a]
    for _ in range(limit):
        nxt = [o for n in frontier for o in dp.neighbours(n) if o not in seen]
        if b in nxt:
            return True
        seen.update(nxt)
        frontier = nxt
    return False


def _plugged(dp: Datapath, port: dict) -> bool:
    tap = f"{port['host']}:dev:tap{port['id'][:11]}"
    return any(":dom:" not in n for n in dp.neighbours(tap))


def _segments_joined(cloud: Cloud, dp: Datapath, net: dict, a: str, b: str) -> bool:
    if net.get("provider:network_type") in TUNNELS:
        vni = net.get("provider:segmentation_id")
        return f"{b}:dev:br-tun" in dp.neighbours(f"{a}:dev:br-tun") or \
            f"{b}:dev:vxlan-{vni}" in dp.neighbours(f"{a}:dev:vxlan-{vni}")
    physnet = net.get("provider:physical_network")
    ba, bb = cloud.bridge_mappings(a).get(physnet), cloud.bridge_mappings(b).get(physnet)
    return bool(ba and bb) and connected(dp, f"{a}:dev:{ba}", f"{b}:dev:{bb}")


def walk_graph(cloud: Cloud, dp: Datapath) -> dict[tuple, set[tuple]]:
    """Nodes ("nic", port id), ("net", network id, host), ("router", id); edges where a packet can pass."""
    g: dict[tuple, set[tuple]] = {}

    def join(x: tuple, y: tuple) -> None:
        g.setdefault(x, set()).add(y)
        g.setdefault(y, set()).add(x)

    plumbed = cloud.plumbed()
    for p in plumbed:
        seg = ("net", p["network_id"], p["host"])
        g.setdefault(seg, set())
        if p["device_owner"].startswith("compute:") and _plugged(dp, p):
            join(("nic", p["id"]), seg)
        elif p["device_owner"] in ("network:router_interface", "network:router_gateway"):
            dev = ("qr-" if p["device_owner"] == "network:router_interface" else "qg-") + p["id"][:11]
            if dp.has(f"{p['host']}:ns:qrouter-{p['device_id']}:dev:{dev}"):
                join(("router", p["device_id"]), seg)
    segs = [n for n in g if n[0] == "net"]
    for x in segs:
        for y in segs:
            if x < y and x[1] == y[1] and _segments_joined(cloud, dp, cloud.networks.get(x[1], {}), x[2], y[2]):
                join(x, y)
    return g


def reachable(graph: dict[tuple, set[tuple]], cloud: Cloud, a: str, b: str) -> bool:
    starts = [("nic", p["id"]) for p in cloud.ports if p["device_id"] == a]
    goals = {("nic", p["id"]) for p in cloud.ports if p["device_id"] == b}
    seen, queue = set(starts), deque(starts)
    while queue:
        node = queue.popleft()
        if node in goals:
            return True
        for nxt in graph.get(node, ()):
            if nxt not in seen and (nxt[0] != "nic" or nxt in goals):   # another server's NIC is no way through
                seen.add(nxt)
                queue.append(nxt)
    return False


def unreal_hops(answer: dict, docs: dict[tuple, dict], dp: Datapath, owners: dict[str, dict]) -> list[str]:
    """The hops of a found path that the datapath does not have, and any instance in the middle. A node's `id`
    may be the inventory id or the stored document's `_id`: `docs` is keyed by (type, either)."""
    bad, previous = [], None
    chain = answer.get("nodes") or []
    for i, node in enumerate(chain):
        doc = docs.get((node.get("type"), node.get("id"))) or node
        if doc.get("type") == "instance" and 0 < i < len(chain) - 1:
            bad.append(f"through instance {doc.get('name')}")
        here = nodes_of(doc, dp)
        if not here:
            continue
        if previous is not None and not adjacent(dp, previous[1], here, owners) and not set(previous[1]) & set(here):
            bad.append(f"{previous[0].get('type')} {previous[0].get('name')} -> {doc.get('type')} {doc.get('name')}")
        previous = (doc, here)
    return bad


def check(cloud: Cloud, dp: Datapath, docs: list[dict],
          answers: dict[tuple[str, str], dict | None]) -> tuple[list[Row], list[str]]:
    """`answers`: (source server id, target server id) -> what `calipso path --format json` said (None: an error)."""
    graph = walk_graph(cloud, dp)
    owners = mapped(docs, dp)
    by_key = {(d["type"], d["id"]): d for d in docs} | {(d["type"], str(d["_id"])): d for d in docs if "_id" in d}
    names = {s["id"]: s["name"] for s in cloud.servers}
    agree = hops = 0
    unreal, notes = [], []
    for (a, b), answer in sorted(answers.items()):
        can = reachable(graph, cloud, a, b)
        said = bool(answer and answer.get("found"))
        agree += answer is not None and said == can
        if answer is None or said != can:
            notes.append(f"path {names.get(a)} -> {names.get(b)}: calipso says "
                         f"{'an error' if answer is None else ('a path' if said else 'no path')}, the datapath walk "
                         f"{'a path' if can else 'no path'}")
        if said:
            hops += max(0, len(answer.get("nodes") or []) - 1)
            wrong = unreal_hops(answer, by_key, dp, owners)
            unreal += wrong
            notes += [f"path {names.get(a)} -> {names.get(b)}: {w}" for w in wrong]
    total = len(answers)
    return [Row("paths", f"instance pairs: path / no path as the datapath walk says (of {total})", f"{agree}/{total}",
                agree == total),
            Row("paths", f"hops of the paths found not real in the datapath (of {hops})", len(unreal), not unreal)], notes
