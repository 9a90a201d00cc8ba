"""Embedded store: bulk upsert throughput and lookup latency through Calipso's persistence layer."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from pathlib import Path

from app.inventory import Inventory
from app.links import Links, new_link
from app.paths import place, root
from app.store.embedded import EmbeddedStore
from app.store.init import init_db
from app.store.store import Store, StoreLocation

ENV = "bench"


def _percentile(samples: list[float], q: float) -> float:
    samples = sorted(samples)
    return samples[min(len(samples) - 1, int(q * len(samples)))]


def _docs(n_hosts: int, per_host: int) -> list[dict]:
    r = root(ENV)
    docs = []
    for h in range(n_hosts):
        host = place({"id": f"host-{h}", "type": "host", "host": f"host-{h}"}, r, ENV)
        docs.append(host)
        for i in range(per_host):
            docs.append(place({"id": f"host-{h}-tap{i:05d}", "type": "vnic", "host": f"host-{h}",
                               "mac_address": f"fa:16:3e:{h % 256:02x}:{i // 256 % 256:02x}:{i % 256:02x}"}, host, ENV))
    return docs


def run() -> None:
    total = int(os.environ.get("CALIPSO_BENCH_STORE_OBJECTS", "20000"))
    per_host = 100
    with tempfile.TemporaryDirectory() as home:
        embedded = EmbeddedStore(Path(home))
        started = time.perf_counter()
        uri = embedded.ensure_running()
        start_s = time.perf_counter() - started
        try:
            store = Store.connect(StoreLocation(uri + "bench", "bench", embedded=True))
            init_db(store)
            inv, links = Inventory(store), Links(store)
            docs = _docs(max(1, total // per_host), per_host)
            t = time.perf_counter()
            inv.upsert(docs)
            insert_s = time.perf_counter() - t
            t = time.perf_counter()
            inv.upsert(docs)
            update_s = time.perf_counter() - t
            ids = [d["id"] for d in docs[:: max(1, len(docs) // 500)]]
            lat = []
            for i in ids:
                t = time.perf_counter()
                assert inv.get(ENV, i) is not None
                lat.append((time.perf_counter() - t) * 1000)
            kids = []
            for h in range(0, len(docs) // (per_host + 1), max(1, len(docs) // (per_host + 1) // 50)):
                t = time.perf_counter()
                assert len(inv.children(ENV, f"host-{h}")) == per_host
                kids.append((time.perf_counter() - t) * 1000)
            hosts = [inv.get(ENV, f"host-{h}") for h in range(min(20, len(docs) // (per_host + 1)))]
            link_docs = []
            for host in hosts:
                for child in inv.children(ENV, host["id"]):
                    link_docs.append(new_link(ENV, host, child, link_type="host-vnic"))
            t = time.perf_counter()
            links.upsert(link_docs)
            link_s = time.perf_counter() - t
            by_src = []
            for host in hosts:
                t = time.perf_counter()
                assert len(links.from_nodes([host["_id"]])) == per_host
                by_src.append((time.perf_counter() - t) * 1000)
            size = embedded.status().get("data_bytes", 0)
        finally:
            embedded.stop()
    n = len(docs)
    rows = [
        ("embedded store start", f"{start_s * 1000:.0f} ms"),
        (f"bulk insert {n} objects", f"{insert_s:.2f} s ({n / insert_s:.0f}/s)"),
        (f"bulk re-upsert {n} objects (rescan)", f"{update_s:.2f} s ({n / update_s:.0f}/s)"),
        ("object by id p50 / p99", f"{statistics.median(lat):.2f} / {_percentile(lat, 0.99):.2f} ms"),
        (f"children of a host ({per_host}) p50 / p99", f"{statistics.median(kids):.2f} / {_percentile(kids, 0.99):.2f} ms"),
        (f"bulk upsert {len(link_docs)} links", f"{link_s:.2f} s ({len(link_docs) / link_s:.0f}/s)"),
        (f"links by source ({per_host}) p50", f"{statistics.median(by_src):.2f} ms"),
        ("data on disk", f"{size / 1e6:.1f} MB"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':{width}}  value")
    for name, value in rows:
        print(f"{name:{width}}  {value}")
