"""Path between two objects (app.topology.neighbours.path_between) in a 1,000-host OVS/VXLAN-shaped store.

The inventory and links are written as a scan writes them (app.inventory, app.links) for 1,000
compute hosts, each with a pNIC, an OVS vEdge and its OTEP, and 10 instances with a vNIC and a
vConnector (34,000 objects, 53,000 links); 20 networks, each pNIC carrying two. Rows: instance to
instance on other hosts (same network and different networks), host to host. Goal: <= 100 ms.
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


def _build(store: Store) -> dict:
    inv, links = Inventory(store), Links(store)
    region = place({"id": "RegionOne", "type": "region"}, root(ENV), ENV)
    nets = [place({"id": f"net-{n}", "type": "network", "name": f"net-{n}"}, region, ENV) for n in range(NETWORKS)]
    docs = [region, *nets]
    plan = []
    for h in range(HOSTS):
        hid = f"cmp-{h}"
        host = place({"id": hid, "type": "host", "host": hid}, region, ENV)
        folders = {f: place({"id": f"{hid}-{f}", "type": f"{f}_folder", "host": hid}, host, ENV)
                   for f in ("instances", "pnics", "vedges", "vconnectors")}
        pnic = place({"id": f"{hid}-eth1", "type": "host_pnic", "host": hid, "name": "eth1"}, folders["pnics"], ENV)
        vedge = place({"id": f"{hid}-OVS", "type": "vedge", "host": hid}, folders["vedges"], ENV)
        otep = place({"id": f"{hid}-otep", "type": "otep", "host": hid}, vedge, ENV)
        docs += [host, *folders.values(), pnic, vedge, otep]
        mine = [(h + i) % NETWORKS for i in range(2)]
        plan += [("vedge-otep", vedge["id"], otep["id"]), ("otep-host_pnic", otep["id"], pnic["id"])]
        plan += [("host_pnic-network", pnic["id"], nets[n]["id"]) for n in mine]
        for i in range(PER_HOST):
            vm = place({"id": f"{hid}-vm{i}", "type": "instance", "host": hid}, folders["instances"], ENV)
            vnic = place({"id": f"{hid}-tap{i}", "type": "vnic", "host": hid}, vm, ENV)
            qbr = place({"id": f"{hid}-qbr{i}", "type": "vconnector", "host": hid}, folders["vconnectors"], ENV)
            docs += [vm, vnic, qbr]
            plan += [("instance-vnic", vm["id"], vnic["id"]), ("vnic-vconnector", vnic["id"], qbr["id"]),
                     ("vconnector-vedge", qbr["id"], vedge["id"])]
    inv.upsert(docs)
    stored = {d["id"]: d for d in inv.find({"environment": ENV})}
    links.upsert([new_link(ENV, stored[s], stored[t], lt) for lt, s, t in plan])
    return {"objects": len(docs), "links": len(plan)}


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
        print(f"store: {size['objects']} objects, {size['links']} links, written in {time.perf_counter() - started:.1f} s")
        rnd = random.Random(7)
        same, other, hosts = [], [], []
        while len(same) < SAMPLES or len(other) < SAMPLES:
            a, b = rnd.sample(range(HOSTS), 2)
            pair = (f"cmp-{a}-vm{rnd.randrange(PER_HOST)}", f"cmp-{b}-vm{rnd.randrange(PER_HOST)}")
            shared = {(a + i) % NETWORKS for i in range(2)} & {(b + i) % NETWORKS for i in range(2)}
            (same if shared else other).append(pair)
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
