"""Path between two objects (app.topology.neighbours.path_between) in a 1,000-host OVS/VXLAN-shaped store.

The inventory and links are written as a scan writes them (app.inventory, app.links) for 1,000
compute hosts, each with a pNIC, an OVS vEdge and its OTEP (its tunnels to the hosts sharing a
network), and 10 instances with a vNIC and a vConnector; 20 VXLAN networks, each host on two; a
network node whose router has an interface on each. Rows: instance to instance on other hosts
(same network: through one tunnel; different networks: through the router), host to host.
Goal: <= 100 ms.
"""

from __future__ import annotations

import random
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from app.inventory import Inventory
from app.links import Links, new_link
from app.paths import place, root
from app.store.embedded import EmbeddedStore
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from app.topology.neighbours import path_between

ENV = "pathbench"
HOSTS, PER_HOST, NETWORKS = 1000, 10, 20
SAMPLES = 20


def _ip(h: int) -> str:
    return f"10.{h // 250}.{h % 250}.1"


def _tunnels(h: int, peers: list[int]) -> list[dict]:
    return [{"name": f"vxlan-{p:08x}", "type": "vxlan", "options": {"local_ip": _ip(h), "remote_ip": _ip(p)}}
            for p in peers if p != h]


def _build(store: Store) -> dict:
    """Hosts 0..HOSTS-1 are computes on two VXLAN networks each; host HOSTS is the network node whose router has
    an interface on every network. Tunnels as l2population makes them: towards the hosts sharing a network."""
    inv, links = Inventory(store), Links(store)
    region = place({"id": "RegionOne", "type": "region"}, root(ENV), ENV)
    nets = [place({"id": f"net-{n}", "type": "network", "name": f"net-{n}", "provider:network_type": "vxlan",
                   "provider:segmentation_id": 1000 + n}, region, ENV) for n in range(NETWORKS)]
    docs = [region, *nets]
    plan = []
    nets_of = {h: [(h + i) % NETWORKS for i in range(2)] for h in range(HOSTS)}
    nets_of[HOSTS] = list(range(NETWORKS))
    hosts_on: dict[int, list[int]] = {}
    for h, mine in nets_of.items():
        for n in mine:
            hosts_on.setdefault(n, []).append(h)
    for h in range(HOSTS + 1):
        hid = f"cmp-{h}" if h < HOSTS else "net-node"
        host = place({"id": hid, "type": "host", "host": hid}, region, ENV)
        folders = {f: place({"id": f"{hid}-{f}", "type": f"{f}_folder", "host": hid}, host, ENV)
                   for f in ("instances", "pnics", "vedges", "vconnectors", "vservices")}
        pnic = place({"id": f"{hid}-eth1", "type": "host_pnic", "host": hid, "name": "eth1"}, folders["pnics"], ENV)
        vedge = place({"id": f"{hid}-OVS", "type": "vedge", "host": hid}, folders["vedges"], ENV)
        peers = sorted({p for n in nets_of[h] for p in hosts_on[n]})
        otep = place({"id": f"{hid}-otep", "type": "otep", "host": hid, "ip_address": _ip(h), "overlay_type": "vxlan",
                      "ports": _tunnels(h, peers)}, vedge, ENV)
        docs += [host, *folders.values(), pnic, vedge, otep]
        plan += [("vedge-otep", vedge["id"], otep["id"], None), ("otep-host_pnic", otep["id"], pnic["id"], None)]
        plan += [("host_pnic-network", pnic["id"], nets[n]["id"], nets[n]["id"]) for n in nets_of[h]]
        if h == HOSTS:   # the router, an interface on every network
            router = place({"id": f"{hid}-qrouter", "type": "vservice", "service_type": "router", "host": hid,
                            "network": [n["id"] for n in nets]}, folders["vservices"], ENV)
            docs.append(router)
            for n in range(NETWORKS):
                qr = place({"id": f"{hid}-qr{n}", "type": "vnic", "host": hid, "network": nets[n]["id"]}, router, ENV)
                docs.append(qr)
                plan += [("vservice-vnic", router["id"], qr["id"], nets[n]["id"]),
                         ("vnic-vedge", qr["id"], vedge["id"], nets[n]["id"])]
            continue
        for i in range(PER_HOST):
            net = nets[nets_of[h][i % 2]]["id"]
            vm = place({"id": f"{hid}-vm{i}", "type": "instance", "host": hid}, folders["instances"], ENV)
            vnic = place({"id": f"{hid}-tap{i}", "type": "vnic", "host": hid, "network": net}, vm, ENV)
            qbr = place({"id": f"{hid}-qbr{i}", "type": "vconnector", "host": hid}, folders["vconnectors"], ENV)
            docs += [vm, vnic, qbr]
            plan += [("instance-vnic", vm["id"], vnic["id"], net), ("vnic-vconnector", vnic["id"], qbr["id"], net),
                     ("vconnector-vedge", qbr["id"], vedge["id"], net)]
    inv.upsert(docs)
    stored = {d["id"]: d for d in inv.find({"environment": ENV})}
    links.upsert([new_link(ENV, stored[s], stored[t], lt, attributes={"network": net} if net else None)
                  for lt, s, t, net in plan])
    return {"objects": len(docs), "links": len(plan), "tunnels": sum(len(d.get("ports") or []) for d in docs)}


def _time(store: Store, pairs: list[tuple[str, str]]) -> tuple[float, float, int, int]:
    samples, hops, queries = [], [], []
    for s, t in pairs:
        started = time.perf_counter()
        out = path_between(store, ENV, s, t)
        samples.append((time.perf_counter() - started) * 1000)
        assert out["found"], (s, t)
        hops.append(len(out["hops"]))
        queries.append(out["queries"])
    samples.sort()
    return statistics.median(samples), samples[int(0.95 * (len(samples) - 1))], int(statistics.median(hops)), \
        int(statistics.median(queries))


def run() -> None:
    home = Path(tempfile.mkdtemp(prefix="calipso-path-bench-"))
    embedded = EmbeddedStore(home)
    store = Store.connect(StoreLocation(f"{embedded.ensure_running()}pb_{uuid.uuid4().hex[:8]}", "bench", embedded=True))
    init_db(store)
    try:
        started = time.perf_counter()
        size = _build(store)
        print(f"store: {size['objects']} objects, {size['links']} links, {size['tunnels']} tunnel ports, "
              f"written in {time.perf_counter() - started:.1f} s")
        rnd = random.Random(7)
        same, other, hosts = [], [], []
        while len(same) < SAMPLES or len(other) < SAMPLES:
            a, b = rnd.sample(range(HOSTS), 2)
            i, j = rnd.randrange(PER_HOST), rnd.randrange(PER_HOST)
            pair = (f"cmp-{a}-vm{i}", f"cmp-{b}-vm{j}")
            # vm i of host h is on network (h + i % 2) % NETWORKS (see _build)
            (same if (a + i % 2) % NETWORKS == (b + j % 2) % NETWORKS else other).append(pair)
        hosts = [(f"cmp-{a}", f"cmp-{b}") for a, b in (rnd.sample(range(HOSTS), 2) for _ in range(SAMPLES))]
        print(f"{'path':<44} {'median ms':>10} {'p95 ms':>8} {'hops':>5} {'queries':>8}")
        for name, pairs in (("instance to instance, a shared network", same[:SAMPLES]),
                            ("instance to instance, no shared network", other[:SAMPLES]),
                            ("host to host", hosts)):
            med, p95, hops, queries = _time(store, pairs)
            print(f"{name:<44} {med:>10.1f} {p95:>8.1f} {hops:>5} {queries:>8}")
        print("goal: <= 100 ms between two instances at 1,000 hosts")
    finally:
        store.client.drop_database(store.db.name)
        store.close()
        embedded.stop()
