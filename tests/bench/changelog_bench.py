"""Change log and diff-based writes: what a scan writes and logs, and what a diff costs.

1. The real scanner on the simulated cloud (in this process, no latency): a first scan, a rescan of
   the unchanged cloud, a rescan after 1 % of the instances were replaced through the simulator's
   model: documents written and change-log bytes of each.
2. The write phase at 1,000 hosts (CHANGELOG_BENCH_HOSTS): the scanner's own ScanWriter fed with an
   inventory shaped like a 1,000-host cloud (a host's folders, vEdge, OTEP, pNICs, vConnectors and 10
   instances with their vNICs and ports; links between them), then the same with 1 % of the objects
   changed (renamed, replaced, a field changed); the diff of the two scans from the change log.
"""

from __future__ import annotations

import os
import random
import shutil
import tempfile
import time
import uuid
from pathlib import Path

import bson

HOSTS = int(os.environ.get("CHANGELOG_BENCH_HOSTS", "1000"))
SIM_SIZES = [int(x) for x in os.environ.get("CHANGELOG_BENCH_SIM", "10,50").split(",")]


def log_bytes(store, env: str, after_seq: int = 0) -> int:
    """BSON bytes of the change-log entries after `after_seq` (heads and records)."""
    from app.changelog import seq_key
    rng = {"$gt": seq_key(env, after_seq), "$lte": seq_key(env, 10 ** 12 - 1)}
    return sum(len(bson.encode(d)) for c in ("changes", "changes_records") for d in store[c].find({"_env_seq": rng}))


def sim_rows(uri: str) -> list[dict]:
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    from scan.controller import ScanController, ScanOptions
    from tests.scan_support.sim import start_in_process

    rows = []
    for n in SIM_SIZES:
        tmp = Path(tempfile.mkdtemp(prefix="clbench-"))
        sim = start_in_process(f"cl{n}", tmp / "sim", computes=n, instances=10 * n)
        store = Store.connect(StoreLocation(f"{uri}b_{uuid.uuid4().hex[:10]}", "bench", embedded=True))
        try:
            init_db(store)
            EnvironmentConfigs(store).add(sim.env)
            for label in ("first", "unchanged", "1% changed"):
                if label == "1% changed":
                    model = sim.live_model
                    victims = sorted(model.instances)[:max(1, n * 10 // 100)]
                    for i, v in enumerate(victims):
                        if i % 2:
                            model.delete_server(v)
                        else:
                            model.rename_server(v, f"renamed-{i}")
                seq = store["changes_state"].find_one({"_id": f"cl{n}"}) or {"seq": 0}
                t = time.perf_counter()
                res = ScanController(store, ScanOptions(env=f"cl{n}", serial=False)).run()
                r = res.report
                total = sum(r["objects"].values()) + sum(r["links"].values()) + sum(r["cliques"].values())
                rows.append({"size": f"{n} hosts", "scan": label, "seconds": time.perf_counter() - t,
                             "write_s": r["phases"].get("write", 0), "documents": total,
                             "written": sum(r["store_writes"].values()), "log": log_bytes(store, f"cl{n}", seq["seq"]),
                             "changes": sum(sum(v.values()) for v in r["changes"].values())})
        finally:
            store.client.drop_database(store.db.name)
            sim.stop()
            shutil.rmtree(tmp, ignore_errors=True)
    return rows


def synthetic(hosts: int, rng: random.Random) -> tuple[list[dict], list[tuple[int, int, str]]]:
    """Objects shaped like a cloud of `hosts` computes, and links as (source index, target index, type)."""
    env = "big"
    docs, links = [], []

    def add(t: str, i: str, parent: dict | None, **fields) -> int:
        path = f"{parent['id_path'] if parent else '/' + env}/{i}"
        name_path = f"{parent['name_path'] if parent else '/' + env}/{fields.get('name', i)}"
        docs.append({"environment": env, "type": t, "id": i, "name": fields.pop("name", i), "id_path": path,
                     "name_path": name_path, "parent_id": parent["id"] if parent else env,
                     "parent_type": parent["type"] if parent else "environment", "show_in_tree": True,
                     "object_name": i, **fields})
        return len(docs) - 1

    for h in range(hosts):
        host = docs[add("host", f"node-{h}", None, host=f"node-{h}", host_type=["Compute"],
                        services={"nova-compute": {"state": "up"}}, ip_address=f"10.0.{h // 250}.{h % 250}")]
        vedge = add("vedge", f"node-{h}-ovs", host, host=host["id"], agent_type="Open vSwitch agent",
                    ports={f"p{k}": {"id": str(k), "name": f"qvo{h}-{k}"} for k in range(12)})
        otep = add("otep", f"node-{h}-otep", host, host=host["id"], overlay_type="vxlan", udp_port=4789)
        links.append((vedge, otep, "vedge-otep"))
        for p in range(2):
            pnic = add("host_pnic", f"node-{h}-eth{p}", host, host=host["id"], mac_address=f"52:54:00:{h:06x}{p}")
            links.append((otep, pnic, "otep-host_pnic"))
        for k in range(10):
            inst = add("instance", f"vm-{h}-{k}", host, host=host["id"], name=f"vm{h}-{k}", status="ACTIVE",
                       network_info=[{"id": f"port-{h}-{k}", "address": f"fa:16:3e:{h:04x}:{k:02x}"}])
            vnic = add("vnic", f"node-{h}-tap{k}", docs[inst], host=host["id"], mac_address=f"fa:16:3e:{h:04x}:{k:02x}")
            vconn = add("vconnector", f"node-{h}-qbr{k}", host, host=host["id"], interfaces_names=[f"tap{k}"])
            add("port", f"port-{h}-{k}", None, network_id="net-1", device_id=f"vm-{h}-{k}",
                fixed_ips=[{"ip_address": f"192.168.{h // 250}.{k}"}])
            links += [(inst, vnic, "instance-vnic"), (vnic, vconn, "vnic-vconnector"), (vconn, vedge, "vconnector-vedge")]
    return docs, links


def write_scan(store, docs: list[dict], link_specs, sid: str) -> dict:
    from app.changelog import ChangeLog
    from app.inventory import object_id
    from app.links import new_link
    from scan.writer import ScanWriter

    t = time.perf_counter()
    w = ScanWriter(store, "big")
    placed = [dict(d) for d in docs]
    w.plan_retirement({object_id("big", d["type"], d["id"]) for d in placed}, [])
    w.plan_objects(placed)
    links = [new_link("big", placed[a], placed[b], link_type=lt) for a, b, lt in link_specs
             if a < len(placed) and b < len(placed)]
    w.plan_links(links, set(), retire=True)
    compared = time.perf_counter() - t
    changes, writes = w.apply(w.clock())
    ChangeLog(store).record("big", changes, "full scan", scan_id=sid, paths=w.paths(), checkpoint=True)
    return {"compare_s": compared, "seconds": time.perf_counter() - t, "written": sum(writes.values()),
            "documents": len(placed) + len(links), "changes": sum(sum(v.values()) for v in changes.counts().values())}


def big_rows(uri: str) -> list[dict]:
    from app.changediff import diff
    from app.changelog import ChangeLog
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation

    rng = random.Random(7)
    docs, link_specs = synthetic(HOSTS, rng)
    store = Store.connect(StoreLocation(f"{uri}b_{uuid.uuid4().hex[:10]}", "bench", embedded=True))
    rows = []
    try:
        init_db(store)
        rows.append({"scan": "first", **write_scan(store, docs, link_specs, "s1"), "log": log_bytes(store, "big")})
        rows.append({"scan": "unchanged", **write_scan(store, docs, link_specs, "s2"),
                     "log": log_bytes(store, "big", 1)})
        changed = [dict(d) for d in docs]
        picks = rng.sample(range(len(changed)), max(1, len(changed) // 100))
        for n, i in enumerate(picks):   # a third renamed, a third with a changed field, a third replaced
            if n % 3 == 0:
                changed[i]["name"] = changed[i]["name"] + "-renamed"
            elif n % 3 == 1:
                changed[i]["status"] = "SHUTOFF"
            else:
                changed[i]["id"] = changed[i]["id"] + "-new"
                changed[i]["id_path"] = changed[i]["id_path"] + "-new"
        rows.append({"scan": "1% changed", **write_scan(store, changed, link_specs, "s3"),
                     "log": log_bytes(store, "big", 2)})
        log = ChangeLog(store)
        timings = {}
        for label, start, end in (("s2 -> s3 (1% changed)", "s2", "s3"), ("before s1 -> s3 (everything)",
                                                                         "2000-01-01T00:00:00Z", "s3")):
            t = time.perf_counter()
            out = diff(log, "big", start, end)
            timings[label] = (time.perf_counter() - t, out["counts"])
        return rows, timings, len(docs), len(link_specs)
    finally:
        store.client.drop_database(store.db.name)


def run() -> None:
    from app.store.embedded import EmbeddedStore

    home = Path(tempfile.mkdtemp(prefix="clbench-home-"))
    embedded = EmbeddedStore(home)
    uri = embedded.ensure_running()
    try:
        rows = sim_rows(uri)
        big, timings, n_obj, n_links = big_rows(uri)
    finally:
        embedded.stop()
        shutil.rmtree(home, ignore_errors=True)
    print("\nreal scans of the simulated cloud (10 instances per host, no latency)")
    print(f"{'cloud':>10} {'scan':>11} {'docs':>7} {'written':>8} {'written %':>9} {'changes':>8} {'log bytes':>10} "
          f"{'scan s':>7} {'write s':>7}")
    for r in rows:
        print(f"{r['size']:>10} {r['scan']:>11} {r['documents']:>7} {r['written']:>8} "
              f"{100 * r['written'] / max(1, r['documents']):>8.2f}% {r['changes']:>8} {r['log']:>10} "
              f"{r['seconds']:>7.1f} {r['write_s']:>7.2f}")
    print(f"\nwrite phase at {HOSTS} hosts ({n_obj} objects, {n_links} links; ScanWriter on an inventory of that shape)")
    print(f"{'scan':>11} {'docs':>7} {'written':>8} {'written %':>9} {'changes':>8} {'log bytes':>10} "
          f"{'compare s':>9} {'total s':>8}")
    for r in big:
        print(f"{r['scan']:>11} {r['documents']:>7} {r['written']:>8} {100 * r['written'] / r['documents']:>8.2f}% "
              f"{r['changes']:>8} {r['log']:>10} {r['compare_s']:>9.2f} {r['seconds']:>8.2f}")
    print(f"\ndiff from the change log at {HOSTS} hosts (goal <= 1 s for two scans with 1 % changed)")
    for label, (secs, counts) in timings.items():
        o, l = counts["objects"], counts["links"]
        print(f"  {label:<30} {secs:6.3f} s   objects +{o['added']} ~{o['changed']} -{o['removed']}, "
              f"links +{l['added']} ~{l['changed']} -{l['removed']}")
    print("written = inventory + link + clique documents written (clique flags included); log bytes = BSON size of "
          "the scan's change-log entry")
