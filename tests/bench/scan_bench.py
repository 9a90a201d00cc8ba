"""Scanner benchmark at scale: 1,000, 3,000 and 10,000 hosts, l2population off (a full tunnel mesh)
and on, each a first scan, an unchanged rescan, one host added, and a first scan over 2 workers.

Knobs (environment): SCAN_BENCH_SIZES (computes, default 1000,3000,10000; `make bench HOSTS=100`),
SCAN_BENCH_L2POP (off,on), SCAN_BENCH_MAX_CALLS (64). Each (size, l2population) gets its own
`calipso sim` (--latency ssh=20,api=30,db=2, 10 instances per compute) and its own embedded store,
so peak memory and disk are theirs; each scan runs in a fresh scanner process, so its CPU and peak
RSS are its own; the store's and the simulator's CPU and bytes written are read from /proc around it.
"One host added": the simulator is sent SIGUSR1 and a compute joins (agents registered, no
instance yet), then the environment is scanned again. The floor (tests.bench.scan_floor) is the
simplest parse of the same host outputs plus hashing and encoding every stored document.

The latency-bound limit is what no scanner making the same calls with the same concurrency can beat:
    bound = (SSH calls x 20 ms + REST calls x 30 ms + MySQL calls x 2 ms) / calls in flight
"""

from __future__ import annotations

import dataclasses
import json
import os
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

LATENCY_MS = {"SSH": 20, "REST": 30, "MySQL": 2}
SIZES = [int(x) for x in os.environ.get("SCAN_BENCH_SIZES", "1000,3000,10000").split(",") if x.strip()]
L2POP = [x.strip() for x in os.environ.get("SCAN_BENCH_L2POP", "off,on").split(",") if x.strip()]
MAX_CALLS = int(os.environ.get("SCAN_BENCH_MAX_CALLS", "64"))
PER_HOST = 4
ROOT = Path(__file__).resolve().parents[2]
NOT_YET = "n/a until distributed lands"


def _proc(*parts) -> str:
    try:
        return Path("/proc", *map(str, parts)).read_text()
    except OSError:
        return ""


def _cpu_of(pid: int) -> float:
    """CPU seconds used so far by a process and its threads (Linux /proc)."""
    try:
        fields = _proc(pid, "stat").rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (IndexError, ValueError):
        return float("nan")


def _peak_mb(pid: int) -> float:
    """Peak resident memory of a process so far (VmHWM)."""
    for line in _proc(pid, "status").splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _written(pid: int) -> int:
    """Bytes the process has caused to be written to storage (/proc/PID/io write_bytes)."""
    for line in _proc(pid, "io").splitlines():
        if line.startswith("write_bytes:"):
            return int(line.split()[1])
    return 0


def _disk_mb(path: Path) -> float:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 1e6


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
            "errors": sum(len(v) for v in (r.get("errors") or {}).values()),
            "calls": {k: v["calls"] for k, v in (r.get("remote_calls") or {}).items()},
            "writes": r.get("store_writes", {}), "tunnels_missing": r.get("tunnels_missing"),
            "error_sample": [f"{h}: {m}" for h, msgs in (r.get("errors") or {}).items() for m in msgs][:3]}


def _child(module: str, *args: str) -> dict:
    p = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "CALIPSO_LOG_LEVEL": "WARNING"})
    if p.returncode != 0:
        raise RuntimeError(f"{module} failed: {p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _scan(store_uri: str, env_name: str, pids: dict[str, int]) -> dict:
    before = {k: (_cpu_of(p), _written(p)) for k, p in pids.items()}
    row = _child("tests.bench.scan_bench", "--scan", store_uri, env_name)
    for k, p in pids.items():
        row[f"{k}_cpu"] = _cpu_of(p) - before[k][0]
        row[f"{k}_rss_mb"] = _peak_mb(p)
    row["bytes_written"] = _written(pids["store"]) - before["store"][1]
    row["bound"] = sum(row["calls"].get(k, 0) * ms for k, ms in LATENCY_MS.items()) / 1000 / MAX_CALLS
    row["written"] = sum(row["writes"].values())
    return row


def _hypervisors(env: dict) -> int:
    import openstack

    s = next(c for c in env["configuration"] if c["name"] == "OpenStack")
    conn = openstack.connect(auth_url=f"http://{s['host']}:{s['port']}/v3", username=s["user"], password=s["pwd"],
                             project_name=s.get("admin_project", "admin"), user_domain_id="default",
                             project_domain_id="default", region_name="RegionOne")
    try:
        return len(list(conn.compute.hypervisors()))
    finally:
        conn.close()


def add_host(sim) -> None:
    """A compute joins the simulated cloud (SIGUSR1); wait until Nova lists it."""
    before = _hypervisors(sim.env)
    os.kill(sim.extra["proc"].pid, signal.SIGUSR1)
    deadline = time.monotonic() + 120
    while _hypervisors(sim.env) <= before:
        if time.monotonic() > deadline:
            raise RuntimeError("the simulator did not add a host within 120 s")
        time.sleep(0.5)


def distributed_available() -> bool:
    from scan.options import ScanOptions
    return dataclasses.is_dataclass(ScanOptions) and "distributed" in {f.name for f in dataclasses.fields(ScanOptions)}


def one(n: int, l2pop: str) -> list[dict]:
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.embedded import EmbeddedStore
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    from tests.scan_support.sim import start_subprocess

    home = Path(tempfile.mkdtemp(prefix=f"scanbench{n}{l2pop}-"))
    os.environ["CALIPSO_HOME"] = str(home / "calipso")
    embedded = EmbeddedStore(home / "calipso")
    uri = embedded.ensure_running()
    name = f"bench{n}{l2pop}"
    started = time.perf_counter()
    sim = start_subprocess(name, home / "sim", args=[
        "--hosts", str(n), "--instances", str(10 * n), "--networks", str(max(2, n // 20 + 2)),
        "--l2-population", l2pop, "--latency", "ssh=20,api=30,db=2"], timeout=1800)
    sim_start = time.perf_counter() - started
    db_uri = f"{uri}b_{uuid.uuid4().hex[:10]}"
    store = Store.connect(StoreLocation(db_uri, "bench", embedded=True))
    rows: list[dict] = []
    try:
        for s in sim.env["configuration"]:
            if s["name"] == "CLI":
                s["host_key_policy"] = "accept-any"
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        pids = {"sim": sim.extra["proc"].pid, "store": embedded.read_state().pid}
        for label in ("first", "unchanged", "host added"):
            if label == "host added":
                add_host(sim)
            row = _scan(db_uri, name, pids)
            row.update({"computes": n, "l2pop": l2pop, "scan": label, "sim_start": sim_start,
                        "disk_mb": _disk_mb(home / "calipso")})
            if label == "first":
                row["floor"] = _child("tests.bench.scan_floor", db_uri, name)
            rows.append(row)
            print(f"  {n} computes, l2pop {l2pop}, {label}: {row['status']} in {row['seconds']:.1f} s "
                  f"({row['objects']} objects, {row['written']} written)", flush=True)
        rows.append({"computes": n, "l2pop": l2pop, "scan": "first, 2 workers", "pending": NOT_YET
                     if not distributed_available() else "distributed is there: run it with 2 scan-workers"})
        return rows
    finally:
        store.close()
        sim.stop()
        embedded.stop()
        shutil.rmtree(home, ignore_errors=True)


def _load() -> str:
    try:
        return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "load unknown"


def _cpu_model() -> str:
    for line in _proc("cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return "CPU unknown"


HEAD = (f"{'hosts':>6} {'l2pop':>5} {'scan':>11} {'objects':>7} {'wall s':>7} {'bound s':>7} "
        f"{'scan CPU':>8} {'ms/obj':>6} {'floor':>6} {'store CPU':>9} {'ms/obj':>6} {'sim CPU':>7} {'ms/obj':>6} "
        f"{'scan RSS':>8} {'store RSS':>9} {'sim RSS':>7} {'disk MB':>7} {'docs':>6} {'MB written':>10} "
        f"{'missing':>7} {'errors':>6}")


def _line(r: dict) -> str:
    if "pending" in r:
        return f"{r['computes']:>6} {r['l2pop']:>5} {r['scan']:>11}  {r['pending']}"
    per = lambda cpu: 1000 * cpu / r["objects"] if r["objects"] else float("nan")   # noqa: E731
    fl = r.get("floor")
    floor_ms = 1000 * (fl["parse_s"] + fl["encode_s"]) / fl["objects"] if fl and fl["objects"] else None
    return (f"{r['computes']:>6} {r['l2pop']:>5} {r['scan']:>11} {r['objects']:>7} {r['seconds']:>7.1f} "
            f"{r['bound']:>7.2f} {r['cpu']:>8.1f} {per(r['cpu']):>6.3f} "
            f"{(f'{floor_ms:.3f}' if floor_ms is not None else ''):>6} {r['store_cpu']:>9.1f} "
            f"{per(r['store_cpu']):>6.3f} {r['sim_cpu']:>7.1f} {per(r['sim_cpu']):>6.3f} {r['rss_mb']:>8.0f} "
            f"{r['store_rss_mb']:>9.0f} {r['sim_rss_mb']:>7.0f} {r['disk_mb']:>7.1f} {r['written']:>6} "
            f"{r['bytes_written'] / 1e6:>10.1f} {r.get('tunnels_missing') or 0:>7} {r['errors']:>6}")


def run() -> None:
    rows, load_before = [], _load()
    for n in SIZES:
        for l2pop in L2POP:
            rows += one(n, l2pop)
    print(f"\nscans, latency ssh=20 ms api=30 ms db=2 ms, {MAX_CALLS} calls in flight ({PER_HOST} per host); "
          f"{os.cpu_count()} CPUs ({_cpu_model()}); {load_before} before, {_load()} after")
    print(HEAD)
    for r in rows:
        print(_line(r))
    for r in rows:
        for e in r.get("error_sample") or []:
            print(f"  error ({r['computes']} computes, {r['scan']}): {e[:300]}")
    print("bound = (SSH calls x 20 ms + REST calls x 30 ms + MySQL calls x 2 ms) / calls in flight; CPU in s, "
          "ms/obj = CPU ms per inventory object; floor = the simplest parse of the same host outputs + hash + "
          "BSON-encode of every stored document, ms per object, one process; RSS = peak MB (store, sim: of the "
          "process so far); disk = the embedded store's files; docs = documents written (inventory, links, "
          "cliques, tunnel meshes); MB written = the store process's write_bytes; missing = OTEPs lacking a tunnel")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    if sys.argv[1:2] == ["--scan"]:
        import logging
        logging.basicConfig(level=logging.WARNING)
        print(json.dumps(scan_once(sys.argv[2], sys.argv[3])))
    else:
        run()
