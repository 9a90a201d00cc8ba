"""Embedded store: bulk upsert throughput and lookup latency through Calipso's persistence layer."""

from __future__ import annotations

import os
import statistics
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from bson import ObjectId
from pymongo import MongoClient, UpdateOne

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


def _store_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) the store process has used so far: the main figure on a shared machine."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _inventory_like(i: int, seen: datetime) -> dict:
    """A ~1.5 KB document shaped like a scanned vNIC: strings, a datetime, booleans, nested dicts, lists."""
    host = f"host-{i // 100}"
    oid = f"{i:08x}-5f3c-4b2a-9d7e-{i:012x}"
    return {
        "environment": ENV, "id": oid, "type": "vnic", "name": f"tap{oid[:11]}", "object_name": f"tap{oid[:11]}",
        "host": host, "parent_id": f"{host}-vnics", "parent_type": "vnics_folder", "show_in_tree": True,
        "id_path": f"/{ENV}/{ENV}-regions/RegionOne/RegionOne-availability_zones/nova/{host}/{host}-vnics/{oid}",
        "name_path": f"/{ENV}/Regions/RegionOne/Availability Zones/nova/{host}/vNICs/tap{oid[:11]}",
        "mac_address": f"fa:16:3e:{i % 256:02x}:{i // 256 % 256:02x}:{i // 65536 % 256:02x}",
        "vnic_type": "instance_vnic", "source_bridge": f"qbr{oid[:11]}", "admin_state_up": True, "mtu": 1450,
        "fixed_ips": [{"subnet_id": f"subnet-{i % 7}", "ip_address": f"10.{i // 65536}.{i // 256 % 256}.{i % 256}"}],
        "data": {"ifname": f"tap{oid[:11]}", "ipv6": [], "flags": ["UP", "BROADCAST", "RUNNING", "MULTICAST"],
                 "counters": {"rx_packets": i * 17, "tx_packets": i * 13, "rx_bytes": i * 1500, "dropped": 0}},
        "config": "\n".join(f"option-{k} = value-{(i * k) % 97}" for k in range(16)),
        "scan_id": ObjectId(b"scan-bench-1"), "last_scanned": seen, "clique": False,
        "_key": f"{ENV}|{oid}", "_env_id": f"{ENV}|{oid}", "_env_type": f"{ENV}|vnic", "_env_parent": f"{ENV}|{host}-vnics",
    }


def _wire_costs(docs: list[dict], seen: datetime, batch: int = 1000) -> list[tuple[str, float, float]]:
    """(shape, store CPU s per 1,000 documents, documents/s) for the writes and reads a scan sends."""
    n = len(docs)
    rows = []
    with tempfile.TemporaryDirectory() as home:
        embedded = EmbeddedStore(Path(home))
        uri = embedded.ensure_running()
        pid = embedded.read_state().pid
        client = MongoClient(uri, tz_aware=True)
        try:
            coll = client["bench"]["inventory"]
            for field in ("_key", "_env_id", "_env_type", "_env_parent", "environment"):
                coll.create_index(field, unique=field == "_key")

            def measure(label: str, count: int, fn) -> None:
                cpu, wall = _store_cpu_s(pid), time.perf_counter()
                fn()
                cpu, wall = _store_cpu_s(pid) - cpu, time.perf_counter() - wall
                rows.append((label, cpu / count * 1000, count / wall))

            measure(f"insert_many {n} docs (~1.5 KB) by {batch}", n,
                    lambda: [coll.insert_many(docs[k:k + batch]) for k in range(0, n, batch)])
            ids = [d["_id"] for d in docs[:batch]]
            measure(f"update_many by $in of {batch} _ids", batch,
                    lambda: coll.update_many({"_id": {"$in": ids}}, {"$set": {"clique": True}}))
            later = seen + timedelta(minutes=5)
            measure(f"bulk_write of {batch} UpdateOne by _id", batch,
                    lambda: coll.bulk_write([UpdateOne({"_id": d["_id"]}, {"$set": {"last_scanned": later, "mtu": 1500},
                                                                          "$unset": {"stale_since": ""}})
                                             for d in docs[batch:2 * batch]], ordered=False))
            projection = {"_id": 1, "id": 1, "type": 1, "_key": 1, "last_scanned": 1}
            measure(f"find {n} docs by environment, projected", n,
                    lambda: sum(1 for _ in coll.find({"environment": ENV}, projection)))
            assert coll.count_documents({"clique": True}) == batch
            assert coll.find_one({"_id": docs[batch]["_id"]})["last_scanned"] == later
        finally:
            client.close()
            embedded.stop()
    return rows


def _wire_rows() -> list[tuple[str, str]]:
    """Each shape with the store's patches (app.store.embedded_patches) and without (CALIPSO_STORE_PATCHES=0).
    CPU seconds of the store process are the figure to compare on a shared machine; wall rates are noisy."""
    n = int(os.environ.get("CALIPSO_BENCH_STORE_WIRE_DOCS", "10000"))
    seen = datetime(2026, 11, 27, 12, 0, 0, 123000, tzinfo=timezone.utc)
    docs = [_inventory_like(i, seen) for i in range(n)]
    patched = _wire_costs(docs, seen)
    saved = os.environ.get("CALIPSO_STORE_PATCHES")
    os.environ["CALIPSO_STORE_PATCHES"] = "0"
    try:
        plain = _wire_costs(docs, seen)
    finally:
        if saved is None:
            os.environ.pop("CALIPSO_STORE_PATCHES", None)
        else:
            os.environ["CALIPSO_STORE_PATCHES"] = saved
    return [(label, f"{cpu:.2f} CPU s / 1,000 docs ({rate:.0f}/s); unpatched {cpu0:.2f} ({rate0:.0f}/s)")
            for (label, cpu, rate), (_, cpu0, rate0) in zip(patched, plain)]


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
    ] + _wire_rows()
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':{width}}  value")
    for name, value in rows:
        print(f"{name:{width}}  {value}")
