"""Simulator benchmark: `calipso sim` start time and peak RSS for 10/100/1,000 computes (10 instances
each), then requests per second on its Keystone, Nova and Neutron APIs.

Goal: 1,000 hosts ready in under 60 s and under 2 GB.
"""

from __future__ import annotations

import json
import math
import signal
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
SIZES = (10, 100, 1000)


def _peak_rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return float("nan")


def start(computes: int, state: Path) -> tuple[subprocess.Popen, dict, float]:
    networks = max(2, math.ceil(computes * 10 / 200))
    cmd = [sys.executable, "-m", "app.cli.main", "sim", "--state-dir", str(state), "--hosts", str(computes),
           "--instances", str(computes * 10), "--networks", str(networks), "--routers", str(max(1, networks // 10)),
           "--loglevel", "WARNING"]
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=ROOT, stderr=subprocess.DEVNULL)
    config = state / "environment_config.json"
    while not config.exists():
        if proc.poll() is not None:
            raise RuntimeError(f"calipso sim exited with {proc.returncode}")
        if time.perf_counter() - t0 > 300:
            proc.kill()
            raise RuntimeError("not ready after 300 s")
        time.sleep(0.05)
    return proc, json.loads(config.read_text()), time.perf_counter() - t0


def stop(proc: subprocess.Popen) -> None:
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


def _token(ks: dict) -> tuple[str, dict]:
    r = requests.post(f"http://{ks['host']}:{ks['port']}/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": ks["user"], "password": ks["pwd"],
                                                       "domain": {"id": "default"}}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}, timeout=10)
    r.raise_for_status()
    catalog = {s["type"]: s["endpoints"][0]["url"] for s in r.json()["token"]["catalog"]}
    return r.headers["X-Subject-Token"], catalog


def rate(fn, seconds: float = 2.0, threads: int = 4) -> float:
    count = [0]
    stop_at = time.perf_counter() + seconds
    lock = threading.Lock()

    def worker():
        session = requests.Session()
        n = 0
        while time.perf_counter() < stop_at:
            fn(session)
            n += 1
        with lock:
            count[0] += n

    ts = [threading.Thread(target=worker) for _ in range(threads)]
    t0 = time.perf_counter()
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return count[0] / (time.perf_counter() - t0)


def request_rates(doc: dict) -> list[tuple[str, float]]:
    ks = next(s for s in doc["configuration"] if s["name"] == "OpenStack")
    token, catalog = _token(ks)
    h = {"X-Auth-Token": token}
    nova, neutron = catalog["compute"], catalog["network"]
    ks_url = f"http://{ks['host']}:{ks['port']}/v3/auth/tokens"
    body = {"auth": {"identity": {"methods": ["password"], "password": {"user": {
        "name": ks["user"], "password": ks["pwd"], "domain": {"id": "default"}}}},
        "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}

    def ok(r):
        assert r.status_code < 300, r.status_code
    calls = [
        ("keystone POST /v3/auth/tokens", lambda s: ok(s.post(ks_url, json=body, timeout=10))),
        ("nova GET os-availability-zone/detail", lambda s: ok(s.get(nova + "/os-availability-zone/detail",
                                                                  headers=h, timeout=10))),
        ("nova GET os-hypervisors/cmp-1/servers", lambda s: ok(s.get(nova + "/os-hypervisors/cmp-1/servers",
                                                                     headers=h, timeout=10))),
        ("neutron GET /v2.0/networks", lambda s: ok(s.get(neutron + "/v2.0/networks", headers=h, timeout=10))),
        ("neutron GET /v2.0/ports (all)", lambda s: ok(s.get(neutron + "/v2.0/ports", headers=h, timeout=30))),
    ]
    return [(name, rate(fn)) for name, fn in calls]


def run() -> None:
    print(f"{'computes':>9} {'instances':>10} {'ready (s)':>10} {'peak RSS (MB)':>14}")
    rates = None
    for n in SIZES:
        with tempfile.TemporaryDirectory() as d:
            proc, doc, ready = start(n, Path(d))
            try:
                rss = _peak_rss_mb(proc.pid)
                print(f"{n:>9} {n * 10:>10} {ready:>10.2f} {rss:>14.0f}", flush=True)
                if n == 100:
                    rates = request_rates(doc)
            finally:
                stop(proc)
    if rates:
        print("\nrequests/s on the 100-compute cloud (1,000 instances), 4 client threads")
        for name, r in rates:
            print(f"  {name:<42} {r:>8.0f}")


if __name__ == "__main__":
    run()
