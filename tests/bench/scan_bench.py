"""Scanner benchmark: full scan, rescan of the unchanged cloud, rescan after 1 % of it changed.

For each size, `calipso sim` (a separate process) with --latency ssh=20,api=30,db=2 and 10 instances per
compute, and the embedded store (another process). Each scan runs in a fresh scanner process, so its CPU
and peak RSS are its own; the store's and the simulator's CPU are read from /proc around it. Between the
second and third scan, 1 % of the instances are replaced through the simulator's Nova API (half deleted,
as many booted: each one a server, its port, vNIC and links on a host).

The latency-bound limit is what no scanner making the same calls with the same concurrency can beat:
    bound = (SSH calls x 20 ms + REST calls x 30 ms + MySQL calls x 2 ms) / calls in flight
with one SSH latency per host command (jump connections; the hop through the master would cost two).
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

LATENCY_MS = {"SSH": 20, "REST": 30, "MySQL": 2}
SIZES = [int(x) for x in os.environ.get("SCAN_BENCH_SIZES", "10,100,1000").split(",")]
MAX_CALLS = int(os.environ.get("SCAN_BENCH_MAX_CALLS", "64"))
PER_HOST = 4
CHANGED = 0.01
ROOT = Path(__file__).resolve().parents[2]


def _cpu_of(pid: int) -> float:
    """CPU seconds used so far by a process and its threads (Linux /proc)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return float("nan")


def scan_once(store_uri: str, env_name: str) -> dict:
    """One scan in this (fresh) process; what it cost."""
    from app.store.store import Store, StoreLocation
    from scan.controller import ScanController, ScanOptions

    store = Store.connect(StoreLocation(store_uri, "bench", embedded=True))
    me0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    res = ScanController(store, ScanOptions(env=env_name, max_calls=MAX_CALLS, per_host=PER_HOST)).run()
    elapsed = time.perf_counter() - t
    me1 = resource.getrusage(resource.RUSAGE_SELF)
    r = res.report
    return {"status": res.status, "reason": res.reason, "seconds": elapsed,
            "cpu": (me1.ru_utime - me0.ru_utime) + (me1.ru_stime - me0.ru_stime),
            "rss_mb": me1.ru_maxrss / 1024, "objects": sum(r.get("objects", {}).values()),
            "links": sum(r.get("links", {}).values()), "cliques": sum(r.get("cliques", {}).values()),
            "errors": sum(len(v) for v in (r.get("errors") or {}).values()), "phases": r.get("phases", {}),
            "calls": {k: v["calls"] for k, v in (r.get("remote_calls") or {}).items()},
            "writes": r.get("store_writes", {}), "ssh_connections": r.get("ssh_connections"),
            "error_sample": [f"{h}: {m}" for h, msgs in (r.get("errors") or {}).items() for m in msgs][:3]}


def _scan_in_child(store_uri: str, env_name: str, pids: dict[str, int]) -> dict:
    before = {k: _cpu_of(p) for k, p in pids.items()}
    p = subprocess.run([sys.executable, "-m", "tests.bench.scan_bench", "--scan", store_uri, env_name],
                       cwd=ROOT, capture_output=True, text=True, env={**os.environ, "CALIPSO_LOG_LEVEL": "WARNING"})
    if p.returncode != 0:
        raise RuntimeError(f"scanner process failed: {p.stderr[-3000:]}")
    row = json.loads(p.stdout.strip().splitlines()[-1])
    row.update({f"{k}_cpu": _cpu_of(p) - before[k] for k, p in pids.items()})
    row["bound"] = sum(row["calls"].get(k, 0) * ms for k, ms in LATENCY_MS.items()) / 1000 / MAX_CALLS
    row["written"] = sum(row["writes"].values()) if isinstance(row["writes"], dict) else row["writes"]
    return row


def change_cloud(env: dict, fraction: float) -> int:
    """Replace `fraction` of the instances through Nova (half deleted, as many booted); how many changed."""
    import openstack

    s = next(c for c in env["configuration"] if c["name"] == "OpenStack")
    conn = openstack.connect(auth_url=f"http://{s['host']}:{s['port']}/v3", username=s["user"], password=s["pwd"],
                             project_name=s.get("admin_project", "admin"), user_domain_id="default",
                             project_domain_id="default", region_name="RegionOne")
    servers = sorted(conn.compute.servers(all_projects=True), key=lambda x: x.id)
    k = max(1, round(len(servers) * fraction))
    deleted, booted = (k + 1) // 2, k // 2
    for server in servers[:deleted]:
        conn.compute.delete_server(server)
    flavor = next(conn.compute.flavors())
    image = next(conn.compute.images())
    net = next(n for n in conn.network.networks() if not n.is_router_external)
    made = [conn.compute.create_server(name=f"bench-{i}", flavor_id=flavor.id, image_id=image.id,
                                       networks=[{"uuid": net.id}]) for i in range(booted)]
    for server in made:
        conn.compute.wait_for_server(server, wait=60, interval=0.2)
    conn.close()
    return deleted + booted


def one(n: int, store_uri: str, store_pid: int) -> list[dict]:
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    from tests.scan_support.sim import start_subprocess

    state = Path(tempfile.mkdtemp(prefix=f"scanbench{n}-"))
    started = time.perf_counter()
    sim = start_subprocess(f"bench{n}", state, args=["--hosts", str(n), "--instances", str(10 * n),
                                                     "--networks", str(max(2, n // 20 + 2)),
                                                     "--latency", "ssh=20,api=30,db=2"], timeout=900)
    sim_start = time.perf_counter() - started
    db_uri = f"{store_uri}b_{uuid.uuid4().hex[:10]}"
    store = Store.connect(StoreLocation(db_uri, "bench", embedded=True))
    try:
        for s in sim.env["configuration"]:
            if s["name"] == "CLI":
                s["host_key_policy"] = "accept-any"
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        pids = {"sim": sim.extra["proc"].pid, "store": store_pid}
        rows = []
        for label in ("first", "unchanged", "1% changed"):
            if label == "1% changed":
                rows[-1]["changed"] = change_cloud(sim.env, CHANGED)
            row = _scan_in_child(db_uri, f"bench{n}", pids)
            row.update({"computes": n, "scan": label, "sim_start": sim_start})
            rows.append(row)
            print(f"  {n} computes, {label}: {row['status']} in {row['seconds']:.1f} s ({row['objects']} objects, "
                  f"{row['written']} written)", flush=True)
        return rows
    finally:
        store.client.drop_database(store.db.name)
        store.close()
        sim.stop()
        shutil.rmtree(state, ignore_errors=True)


def _load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load unknown"


def run() -> None:
    from app.store.embedded import EmbeddedStore

    home = Path(tempfile.mkdtemp(prefix="scanbench-home-"))
    os.environ["CALIPSO_HOME"] = str(home)
    embedded = EmbeddedStore(home)
    uri = embedded.ensure_running()
    store_pid = embedded.read_state().pid
    rows, load_before = [], _load()
    try:
        for n in SIZES:
            rows += one(n, uri, store_pid)
    finally:
        embedded.stop()
        shutil.rmtree(home, ignore_errors=True)
    print(f"\nscans, latency ssh=20 ms api=30 ms db=2 ms, {MAX_CALLS} calls in flight ({PER_HOST} per host); "
          f"{os.cpu_count()} CPUs; {load_before} before, {_load()} after")
    print(f"{'computes':>8} {'scan':>10} {'objects':>7} {'links':>6} {'wall s':>7} {'bound s':>7} {'ratio':>6} "
          f"{'scan CPU':>8} {'store CPU':>9} {'sim CPU':>7} {'written':>8} {'written %':>9} {'RSS MB':>6} "
          f"{'inv s':>6} {'links s':>7} {'cliq s':>6} {'write s':>7} {'SSH':>6} {'REST':>5} {'MySQL':>5} {'conns':>5} {'errors':>6}")
    first: dict[int, dict] = {}
    for r in rows:
        first.setdefault(r["computes"], r)
        f = first[r["computes"]]
        total = r["objects"] + r["links"] + r["cliques"]
        ph = r["phases"]
        print(f"{r['computes']:>8} {r['scan']:>10} {r['objects']:>7} {r['links']:>6} {r['seconds']:>7.1f} "
              f"{r['bound']:>7.2f} {r['seconds'] / r['bound'] if r['bound'] else float('nan'):>6.1f} "
              f"{r['cpu']:>8.1f} {r['store_cpu']:>9.1f} {r['sim_cpu']:>7.1f} {r['written']:>8} "
              f"{100 * r['written'] / total if total else 0:>8.1f}% {r['rss_mb']:>6.0f} {ph.get('inventory', 0):>6.1f} "
              f"{ph.get('links', 0):>7.1f} {ph.get('cliques', 0):>6.1f} {ph.get('write', 0):>7.1f} {r['calls'].get('SSH', 0):>6} "
              f"{r['calls'].get('REST', 0):>5} {r['calls'].get('MySQL', 0):>5} {r['ssh_connections'] or 0:>5} "
              f"{r['errors']:>6}" + (f"  ({r['seconds'] / f['seconds']:.2f}x first)" if r is not f else ""))
    for r in rows:
        for e in r.get("error_sample") or []:
            print(f"  error ({r['computes']} computes, {r['scan']}): {e[:300]}")
    changed = [r.get("changed") for r in rows if r.get("changed")]
    print("bound = (SSH calls x 20 ms + REST calls x 30 ms + MySQL calls x 2 ms) / calls in flight; "
          "ratio = wall / bound")
    print("written = inventory + link + clique documents the scan wrote (its report's store_writes); written % of "
          "objects + links + cliques; RSS = the scanner process's peak; CPU in seconds; "
          f"1% changed = {', '.join(map(str, changed))} instances replaced")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--scan"]:
        import logging
        logging.basicConfig(level=logging.WARNING)
        print(json.dumps(scan_once(sys.argv[2], sys.argv[3])))
    else:
        run()
