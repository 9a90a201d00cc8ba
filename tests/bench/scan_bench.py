"""Scanner benchmark: full scan time against cloud size, with protocol latency.

`calipso sim` (a separate process) with --latency ssh=20,api=30,db=2, 10 instances per compute;
the scanner in this process with 64 calls in flight (4 per host), on an embedded store.
The latency-bound limit is the sum over sources of calls x latency, divided by the allowed
concurrency: no scanner making those calls can finish sooner.
"""

from __future__ import annotations

import os
import resource
import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

LATENCY_MS = {"SSH": 20, "REST": 30, "MySQL": 2}
SIZES = [int(x) for x in os.environ.get("SCAN_BENCH_SIZES", "10,100,1000").split(",")]
MAX_CALLS = int(os.environ.get("SCAN_BENCH_MAX_CALLS", "64"))
PER_HOST = 4


def one(n: int, store_uri: str) -> dict:
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    from scan.controller import ScanController, ScanOptions
    from tests.scan_support.sim import start_subprocess

    state = Path(tempfile.mkdtemp(prefix=f"scanbench{n}-"))
    started = time.perf_counter()
    sim = start_subprocess(f"bench{n}", state, args=["--hosts", str(n), "--instances", str(10 * n), "--networks", str(max(2, n // 20 + 2)),
                                                     "--latency", "ssh=20,api=30,db=2"], timeout=600)
    sim_start = time.perf_counter() - started
    try:
        for s in sim.env["configuration"]:
            if s["name"] == "CLI":
                s["host_key_policy"] = "accept-any"
        store = Store.connect(StoreLocation(f"{store_uri}b_{uuid.uuid4().hex[:10]}", "bench", embedded=True))
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        proc = sim.extra["proc"]
        sim_cpu0 = _cpu_of(proc.pid)
        me0 = resource.getrusage(resource.RUSAGE_SELF)
        t = time.perf_counter()
        res = ScanController(store, ScanOptions(env=f"bench{n}", max_calls=MAX_CALLS, per_host=PER_HOST)).run()
        elapsed = time.perf_counter() - t
        me1 = resource.getrusage(resource.RUSAGE_SELF)
        scan_cpu = (me1.ru_utime - me0.ru_utime) + (me1.ru_stime - me0.ru_stime)
        sim_cpu = _cpu_of(proc.pid) - sim_cpu0
        r = res.report
        calls = {k: v["calls"] for k, v in r["remote_calls"].items()}
        bound = sum(calls.get(k, 0) * ms for k, ms in LATENCY_MS.items()) / 1000 / MAX_CALLS
        objects = sum(r["objects"].values())
        store.client.drop_database(store.db.name)
        return {"computes": n, "status": res.status, "errors": sum(len(v) for v in r["errors"].values()),
                "objects": objects, "links": sum(r["links"].values()), "cliques": sum(r["cliques"].values()),
                "seconds": elapsed, "phases": r["phases"], "calls": calls, "bound": bound,
                "calls_per_object": sum(calls.values()) / objects, "writes_per_object": r["per_object"]["store_writes"],
                "sim_start": sim_start, "scan_cpu": scan_cpu, "sim_cpu": sim_cpu}
    finally:
        sim.stop()
        shutil.rmtree(state, ignore_errors=True)


def _cpu_of(pid: int) -> float:
    """CPU seconds used so far by a process and its threads (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def run() -> None:
    from app.store.embedded import EmbeddedStore

    home = Path(tempfile.mkdtemp(prefix="scanbench-home-"))
    os.environ["CALIPSO_HOME"] = str(home)
    uri = EmbeddedStore(home).ensure_running()
    rows = []
    try:
        for n in SIZES:
            rows.append(one(n, uri))
            r = rows[-1]
            print(f"  {n} computes: {r['status']} in {r['seconds']:.1f} s ({r['objects']} objects)", flush=True)
    finally:
        EmbeddedStore(home).stop()
        shutil.rmtree(home, ignore_errors=True)
    print(f"\nfull scan, latency ssh=20 ms api=30 ms db=2 ms, {MAX_CALLS} calls in flight ({PER_HOST} per host)")
    print(f"{'computes':>8} {'objects':>8} {'links':>7} {'cliques':>7} {'scan s':>7} {'bound s':>7} {'ratio':>6} "
          f"{'inv s':>6} {'links s':>7} {'cliq s':>6} {'SSH':>6} {'REST':>5} {'MySQL':>5} {'calls/obj':>9} "
          f"{'writes/obj':>10} {'errors':>6} {'scan CPU s':>10} {'sim CPU s':>9}")
    for r in rows:
        ph = r["phases"]
        print(f"{r['computes']:>8} {r['objects']:>8} {r['links']:>7} {r['cliques']:>7} {r['seconds']:>7.1f} "
              f"{r['bound']:>7.1f} {r['seconds'] / r['bound']:>6.2f} {ph.get('inventory', 0):>6.1f} "
              f"{ph.get('links', 0):>7.1f} {ph.get('cliques', 0):>6.1f} {r['calls'].get('SSH', 0):>6} "
              f"{r['calls'].get('REST', 0):>5} {r['calls'].get('MySQL', 0):>5} {r['calls_per_object']:>9.3f} "
              f"{r['writes_per_object']:>10.3f} {r['errors']:>6} {r['scan_cpu']:>10.1f} {r['sim_cpu']:>9.1f}")
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS of the scanner process: {rss:.0f} MiB; CPUs on this machine: {os.cpu_count()}")
    print("bound = (SSH calls x 20 ms + REST calls x 30 ms + MySQL calls x 2 ms) / calls in flight")


if __name__ == "__main__":
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))
    run()
