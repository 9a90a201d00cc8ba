"""Scanner benchmark at scale: 1,000, 3,000 and 10,000 hosts, l2population off (a full tunnel mesh)
and on, each a first scan, an unchanged rescan, one host added, and a first scan over 1 and over 2 workers.

Knobs (environment): SCAN_BENCH_SIZES (computes, default 1000,3000,10000; `make bench HOSTS=100`),
SCAN_BENCH_L2POP (off,on), SCAN_BENCH_MAX_CALLS (64), SCAN_BENCH_SCANS (which rows, and whether the
floor is computed: first,floor,workers,unchanged,added; `make bench SCANS=first` for a large size alone).
Each (size, l2population) gets its own `calipso sim` (--latency ssh=20,api=30,db=2, 10 instances per
compute) and its own embedded store, so peak memory and disk are theirs; each scan runs in a fresh
scanner process, so its CPU and peak RSS are its own; the store's and the simulator's CPU and bytes
written are read from /proc around it.
"First, 1 worker" and "first, 2 workers": right after the local first scan, the same cloud is scanned into a
database of its own (a true first scan) by a fresh asking process and 1, then 2, `calipso scan-worker`
processes on a queue of their own (tests.bench.workers_bench.first_scan, RabbitMQ at $CALIPSO_BROKER_URL or
127.0.0.1:5672); with no broker there the row says so and the bench goes on.
"One host added": the simulator is sent SIGUSR1 and a compute joins (agents registered, no
instance yet), then the environment is scanned again. The floor (tests.bench.scan_floor) is the
simplest parse of the same host outputs plus hashing and encoding every stored document.

The latency-bound limit is what no scanner making the same calls with the same concurrency can beat:
    bound = (SSH calls x 20 ms + REST calls x 30 ms + MySQL calls x 2 ms) / calls in flight
"""

from __future__ import annotations

import json
import os
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
SCANS = {x.strip() for x in os.environ.get("SCAN_BENCH_SCANS", "first,floor,workers,unchanged,added").split(",")}
PER_HOST = 4
ROOT = Path(__file__).resolve().parents[2]
WORKERS = 2


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


def _child(module: str, *args: str) -> dict:
    p = subprocess.run([sys.executable, "-m", module, *args], cwd=ROOT, capture_output=True, text=True,
                       env={**os.environ, "CALIPSO_LOG_LEVEL": "WARNING"})
    if p.returncode != 0:
        raise RuntimeError(f"{module} failed: {p.stderr[-3000:]}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def _scan(store_uri: str, env_name: str, pids: dict[str, int], workers: int = 0, log_dir: Path | None = None) -> dict:
    """One scan in a fresh process (over `workers` scan workers if any); what it and the store and sim cost."""
    from tests.bench.workers_bench import first_scan

    before = {k: (_cpu_of(p), _written(p)) for k, p in pids.items()}
    load = _LoadPeak()
    if workers:   # the workers' CPU is the scan's: it is folded into the scanner's
        row = first_scan(store_uri, env_name, workers, pids, log_dir=log_dir)
        row["cpu"] += row["workers_cpu"]
    else:
        row = _child("tests.bench.workers_bench", "--scan", store_uri, env_name, "-")
    for k, p in pids.items():
        row.setdefault(f"{k}_cpu", _cpu_of(p) - before[k][0])
        row[f"{k}_rss_mb"] = _peak_mb(p)
    row["load_max"] = load.stop()
    row["bytes_written"] = _written(pids["store"]) - before["store"][1]
    row["bound"] = sum(row["calls"].get(k, 0) * ms for k, ms in LATENCY_MS.items()) / 1000 / MAX_CALLS
    row["written"] = sum(row["writes"].values())
    return row


class _LoadPeak:
    """The highest 1-minute load average seen while a scan runs (read every second): the goal is a
    few times the cores, whatever the number of connections."""

    def __init__(self):
        import threading
        self.peak = _loadavg()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.wait(1.0):
            self.peak = max(self.peak, _loadavg())

    def stop(self) -> float:
        self._stop.set()
        self._thread.join()
        return max(self.peak, _loadavg())


def _loadavg() -> float:
    try:
        return float(_proc("loadavg").split()[0])
    except (IndexError, ValueError):
        return float("nan")


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


def broker_down(url: str) -> str | None:
    """Why the bench cannot reach the scan workers' broker, or None when it can."""
    from scan.distributed.broker import WorkQueue, redact

    conn = WorkQueue(url, "unused").connect()
    try:
        conn.ensure_connection(max_retries=1, timeout=5)
        return None
    except Exception as e:
        return f"n/a: no broker at {redact(url)} ({type(e).__name__})"
    finally:
        conn.release()


def first_over_workers(uri: str, env: dict, pids: dict[str, int], home: Path, local: dict, workers: int = WORKERS,
                       one_worker: dict | None = None) -> dict:
    """The same cloud's first scan over `workers` scan workers, into a fresh database (so a true first scan);
    `one_worker`: the 1-worker row, to compare with."""
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    from tests.bench.workers_bench import BROKER

    label = {"computes": local["computes"], "l2pop": local["l2pop"],
             "scan": f"first, {workers} worker{'s' if workers > 1 else ''}"}
    down = broker_down(BROKER)
    if down:
        return {**label, "pending": down}
    db_uri = f"{uri}w_{uuid.uuid4().hex[:10]}"
    store = Store.connect(StoreLocation(db_uri, "bench", embedded=True))
    disk_before = _disk_mb(home / "calipso")
    try:
        init_db(store)
        EnvironmentConfigs(store).add(env)
        row = _scan(db_uri, env["name"], pids, workers=workers, log_dir=home / "worker-logs")
        row.update(label, sim_start=local["sim_start"], disk_mb=_disk_mb(home / "calipso") - disk_before,
                   vs_local=row["seconds"] / local["seconds"], same_docs=row["writes"] == local["writes"])
        if one_worker and one_worker.get("seconds"):
            row["vs_one"] = row["seconds"] / one_worker["seconds"]
        return row
    finally:
        store.client.drop_database(store.db.name)
        store.close()


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
            if {"first": "first", "unchanged": "unchanged", "host added": "added"}[label] not in SCANS and \
                    not (label == "first" and "workers" in SCANS):
                continue
            if label == "host added":
                add_host(sim)
            row = _scan(db_uri, name, pids)
            row.update({"computes": n, "l2pop": l2pop, "scan": label, "sim_start": sim_start,
                        "disk_mb": _disk_mb(home / "calipso")})
            if label == "first" and "floor" in SCANS:
                row["floor"] = _child("tests.bench.scan_floor", db_uri, name)
            rows.append(row)
            print(f"  {n} computes, l2pop {l2pop}, {label}: {row['status']} in {row['seconds']:.1f} s "
                  f"({row['objects']} objects, {row['written']} written)"
                  + (f": {row['reason']}" if row.get("status") != "completed" and row.get("reason") else ""),
                  flush=True)
            if label == "first" and "workers" in SCANS:
                rows.append(first_over_workers(uri, sim.env, pids, home, row, workers=1))
                _say_workers(rows[-1], row)
                rows.append(first_over_workers(uri, sim.env, pids, home, row, one_worker=rows[-1]))
                _say_workers(rows[-1], row)
        return rows
    finally:
        store.close()
        sim.stop()
        embedded.stop()
        shutil.rmtree(home, ignore_errors=True)


def _say_workers(w: dict, local: dict) -> None:
    if "pending" in w:
        print(f"  {w['computes']} computes, l2pop {w['l2pop']}, {w['scan']}: {w['pending']}", flush=True)
        return
    d = w.get("distributed") or {}
    print(f"  {w['computes']} computes, l2pop {w['l2pop']}, {w['scan']}: {w['status']} in {w['seconds']:.1f} s "
          f"= {w['vs_local']:.2f}x local" + (f", {w['vs_one']:.2f}x one worker" if "vs_one" in w else "")
          + f" ({w['objects']} objects, {w['written']} written, local first scan "
          f"{local['written']}: {'same' if w['same_docs'] else 'DIFFERENT'} per collection; {d.get('parts', 0)} parts, "
          f"{d.get('waited', 0):.1f} s waited for them)", flush=True)


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


HEAD = (f"{'hosts':>6} {'l2pop':>5} {'scan':>16} {'objects':>7} {'wall s':>7} {'bound s':>7} "
        f"{'scan CPU':>8} {'ms/obj':>6} {'floor':>6} {'store CPU':>9} {'ms/obj':>6} {'sim CPU':>7} {'ms/obj':>6} "
        f"{'scan RSS':>8} {'store RSS':>9} {'sim RSS':>7} {'disk MB':>7} {'docs':>6} {'MB written':>10} "
        f"{'missing':>7} {'errors':>6} {'load max':>8} {'wrk RSS':>7} {'x local':>7} {'x 1 wrk':>7} {'docs=':>5}")


def _line(r: dict) -> str:
    if "pending" in r:
        return f"{r['computes']:>6} {r['l2pop']:>5} {r['scan']:>16}  {r['pending']}"
    per = lambda cpu: 1000 * cpu / r["objects"] if r["objects"] else float("nan")   # noqa: E731
    fl = r.get("floor")
    floor_ms = 1000 * (fl["parse_s"] + fl["encode_s"]) / fl["objects"] if fl and fl["objects"] else None
    vs_one = f"{r['vs_one']:.2f}" if "vs_one" in r else ""
    workers = (f" {r['workers_rss_mb']:>7.0f} {r['vs_local']:>7.2f} {vs_one:>7} {'yes' if r['same_docs'] else 'NO':>5}"
               if r.get("workers") else "")
    return (f"{r['computes']:>6} {r['l2pop']:>5} {r['scan']:>16} {r['objects']:>7} {r['seconds']:>7.1f} "
            f"{r['bound']:>7.2f} {r['cpu']:>8.1f} {per(r['cpu']):>6.3f} "
            f"{(f'{floor_ms:.3f}' if floor_ms is not None else ''):>6} {r['store_cpu']:>9.1f} "
            f"{per(r['store_cpu']):>6.3f} {r['sim_cpu']:>7.1f} {per(r['sim_cpu']):>6.3f} {r['rss_mb']:>8.0f} "
            f"{r['store_rss_mb']:>9.0f} {r['sim_rss_mb']:>7.0f} {r['disk_mb']:>7.1f} {r['written']:>6} "
            f"{r['bytes_written'] / 1e6:>10.1f} {r.get('tunnels_missing') or 0:>7} {r['errors']:>6} "
            f"{r.get('load_max', float('nan')):>8.1f}{workers}")


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
        if r.get("status") not in (None, "completed") and r.get("reason"):
            print(f"  {r['status']} ({r['computes']} computes, {r['scan']}): {r['reason'][:500]}")
        for e in r.get("error_sample") or []:
            print(f"  error ({r['computes']} computes, {r['scan']}): {e[:300]}")
    print("bound = (SSH calls x 20 ms + REST calls x 30 ms + MySQL calls x 2 ms) / calls in flight; CPU in s, "
          "ms/obj = CPU ms per inventory object; floor = the simplest parse of the same host outputs + hash + "
          "BSON-encode of every stored document, ms per object, one process; RSS = peak MB (store, sim: of the "
          "process so far); disk = the embedded store's files; docs = documents written (inventory, links, "
          "cliques, tunnel meshes); MB written = the store process's write_bytes; missing = OTEPs lacking a tunnel; "
          "load max = the highest 1-minute load average read (every second) during the scan")
    print("first, N workers: the same cloud, a fresh database; scan CPU = the asking process + its scan workers, "
          "scan RSS = the asking process's peak, wrk RSS = the largest worker's peak; bound as for one process (each "
          "worker has its own calls in flight); disk = what its database added; x local = its wall / the local first "
          f"scan's; x 1 wrk = {WORKERS} workers' wall / 1 worker's (goal at 1,000 hosts: <= 0.7); docs= : it wrote as "
          "many documents to each collection as the local first scan")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    run()
