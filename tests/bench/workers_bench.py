"""Distributed scan benchmark: a first scan of the same simulated cloud by one process, then spread over
1 and 2 `calipso scan-worker` processes (the real RabbitMQ at 127.0.0.1:5672 carries the work).

Same cloud and latency as scan_bench (`calipso sim`, ssh=20 ms, api=30 ms, db=2 ms, 10 instances a compute).
The asking scan runs in a fresh process of its own; the CPU of each process (asking scan, workers, store,
simulator) is read from /proc around the scan. Sizes: SCAN_WORKERS_BENCH_SIZES (default 100); worker
counts: SCAN_WORKERS_BENCH_WORKERS (default 0,1,2; 0 = a local scan).

`first_scan(db_uri, env_name, workers, pids)` is the knob for other benchmarks (scan_bench): one first scan
with that many workers (0: local), the row of scan_bench's shape plus the workers' CPU and peak RSS.
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

SIZES = [int(x) for x in os.environ.get("SCAN_WORKERS_BENCH_SIZES", "100").split(",")]
WORKERS = [int(x) for x in os.environ.get("SCAN_WORKERS_BENCH_WORKERS", "0,1,2").split(",")]
BROKER = os.environ.get("CALIPSO_BROKER_URL", "amqp://guest:guest@127.0.0.1:5672//")
MAX_CALLS = int(os.environ.get("SCAN_BENCH_MAX_CALLS", "64"))
PER_HOST = 4
ROOT = Path(__file__).resolve().parents[2]


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def scan_once(store_uri: str, env_name: str, queue: str) -> dict:
    """One scan in this (fresh) process: local when `queue` is '-', else distributed over that queue."""
    from app.store.store import Store, StoreLocation
    from scan.controller import ScanController, ScanOptions
    from scan.distributed.broker import WorkQueue
    from scan.distributed.coordinator import Distribution

    store = Store.connect(StoreLocation(store_uri, "bench", embedded=True))
    distributed = queue != "-"
    me0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    res = ScanController(store, ScanOptions(env=env_name, max_calls=MAX_CALLS, per_host=PER_HOST,
                                            distributed=distributed),
                         distribution=Distribution(WorkQueue(BROKER, queue)) if distributed else None).run()
    elapsed = time.perf_counter() - t
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    r = res.report
    return {"status": res.status, "reason": res.reason, "seconds": elapsed,
            "cpu": (me1.ru_utime - me0.ru_utime) + (me1.ru_stime - me0.ru_stime),
            "rss_mb": me1.ru_maxrss / 1024, "objects": sum(r.get("objects", {}).values()),
            "links": sum(r.get("links", {}).values()), "cliques": sum(r.get("cliques", {}).values()),
            "errors": sum(len(v) for v in (r.get("errors") or {}).values()), "phases": r.get("phases", {}),
            "calls": {k: v["calls"] for k, v in (r.get("remote_calls") or {}).items()},
            "writes": r.get("store_writes", {}), "distributed": r.get("distributed") or {},
            "tunnels_missing": r.get("tunnels_missing"),
            "error_sample": [f"{h}: {m}" for h, msgs in (r.get("errors") or {}).items() for m in msgs][:3]}


def first_scan(db_uri: str, env_name: str, workers: int, pids: dict[str, int], log_dir: Path | None = None) -> dict:
    """A first scan with `workers` scan workers (0: local) in fresh processes; what each process spent."""
    from tests.scan_support.workers import Workers, cpu_of

    env = {**os.environ, "CALIPSO_MONGO_URI": db_uri, "CALIPSO_LOG_LEVEL": "WARNING"}
    log_dir = log_dir or Path(tempfile.mkdtemp(prefix="workers-bench-logs-"))
    pool = Workers(workers, env, log_dir, broker=BROKER) if workers else None
    try:
        if pool is not None:
            pool.__enter__()
        before = {k: cpu_of(p) for k, p in pids.items()}
        workers_before = pool.cpu_seconds() if pool else 0.0
        p = subprocess.run([sys.executable, "-m", "tests.bench.workers_bench", "--scan", db_uri, env_name,
                            pool.queue.name if pool else "-"], cwd=ROOT, capture_output=True, text=True, env=env)
        if p.returncode != 0:
            raise RuntimeError(f"scanner process failed: {p.stderr[-3000:]}")
        row = json.loads(p.stdout.strip().splitlines()[-1])
        row.update({f"{k}_cpu": cpu_of(pid) - before[k] for k, pid in pids.items()})
        row["workers"] = workers
        row["workers_cpu"] = (pool.cpu_seconds() - workers_before) if pool else 0.0
        row["workers_rss_mb"] = max((_peak_rss_mb(q.pid) for q in pool.procs), default=0.0) if pool else 0.0
        return row
    finally:
        if pool is not None:
            pool.stop()


def one(n: int, store_uri: str, store_pid: int) -> list[dict]:
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    from tests.scan_support.sim import start_subprocess

    state = Path(tempfile.mkdtemp(prefix=f"workersbench{n}-"))
    sim = start_subprocess(f"wbench{n}", state, args=["--hosts", str(n), "--instances", str(10 * n),
                                                      "--networks", str(max(2, n // 20 + 2)),
                                                      "--latency", "ssh=20,api=30,db=2"], timeout=900)
    for s in sim.env["configuration"]:
        if s["name"] == "CLI":
            s["host_key_policy"] = "accept-any"
    rows = []
    try:
        for w in WORKERS:
            db_uri = f"{store_uri}w_{uuid.uuid4().hex[:10]}"
            store = Store.connect(StoreLocation(db_uri, "bench", embedded=True))
            try:
                init_db(store)
                EnvironmentConfigs(store).add(sim.env)
                row = first_scan(db_uri, f"wbench{n}", w, {"sim": sim.extra["proc"].pid, "store": store_pid})
                row.update(computes=n, load=_load())
                rows.append(row)
                print(f"  {n} computes, {w or 'no'} worker(s): {row['status']} in {row['seconds']:.1f} s "
                      f"({row['objects']} objects, {row['errors']} errors)", flush=True)
            finally:
                store.client.drop_database(store.db.name)
                store.close()
        return rows
    finally:
        sim.stop()
        shutil.rmtree(state, ignore_errors=True)


def _load() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "?"


def _cpu_model() -> str:
    try:
        return next(l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
                    if l.startswith("model name"))
    except (OSError, StopIteration):
        return "unknown CPU"


def run() -> None:
    from app.store.embedded import EmbeddedStore

    home = Path(tempfile.mkdtemp(prefix="workersbench-home-"))
    os.environ["CALIPSO_HOME"] = str(home)
    embedded = EmbeddedStore(home)
    uri = embedded.ensure_running()
    rows = []
    try:
        for n in SIZES:
            rows += one(n, uri, embedded.read_state().pid)
    finally:
        embedded.stop()
        shutil.rmtree(home, ignore_errors=True)
    print(f"\nfirst scans, local and over scan workers; latency ssh=20 ms api=30 ms db=2 ms, {MAX_CALLS} calls in "
          f"flight per process; {os.cpu_count()} x {_cpu_model()}")
    print(f"{'computes':>8} {'workers':>7} {'objects':>7} {'wall s':>7} {'scan CPU':>8} {'workers CPU':>11} "
          f"{'store CPU':>9} {'sim CPU':>7} {'scan RSS':>8} {'worker RSS':>10} {'parts':>5} {'SSH':>6} {'REST':>5} "
          f"{'MySQL':>5} {'errors':>6} {'inv s':>6} {'waited':>6} {'write s':>7}  load (1, 5, 15 min)")
    for r in rows:
        d = r.get("distributed") or {}
        print(f"{r['computes']:>8} {r['workers']:>7} {r['objects']:>7} {r['seconds']:>7.1f} {r['cpu']:>8.1f} "
              f"{r['workers_cpu']:>11.1f} {r['store_cpu']:>9.1f} {r['sim_cpu']:>7.1f} {r['rss_mb']:>8.0f} "
              f"{r['workers_rss_mb']:>10.0f} {d.get('parts', 0):>5} {r['calls'].get('SSH', 0):>6} "
              f"{r['calls'].get('REST', 0):>5} {r['calls'].get('MySQL', 0):>5} {r['errors']:>6} "
              f"{r['phases'].get('inventory', 0):>6.1f} {d.get('waited', 0):>6.1f} {r['phases'].get('write', 0):>7.1f}  "
              f"{r['load']}")
    print("workers 0 = a local scan; CPU in seconds (the asking scan's process, all workers together, the store, the "
          "simulator); RSS = peak MB (the largest worker's); calls = all processes' remote calls; inv s = the inventory "
          "phase, waited = its part spent waiting for the workers' parts")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--scan"]:
        import logging
        logging.basicConfig(level=logging.WARNING)
        print(json.dumps(scan_once(sys.argv[2], sys.argv[3], sys.argv[4])))
    else:
        run()
