"""Monitoring: check results handled per second through RabbitMQ into the store (goal >= 2,000/s:
1,000 hosts x 30 checks every 15 s); time from a fault injected on a simulated host to its pNIC's
status changed in the store (goal <= one check interval + 2 s); Sensu configuration generated for
1,000 hosts (goal <= 30 s), stored and written as files.

Embedded store over the wire, the real RabbitMQ at 127.0.0.1:5672, the simulated cloud in process.
"""

from __future__ import annotations

import json
import socket
import statistics
import tempfile
import threading
import time
import uuid
from pathlib import Path

RABBIT = "amqp://guest:guest@127.0.0.1:5672//"
RESULTS = 20000
HOSTS = 1000


def _rabbit_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
        return True
    except OSError:
        return False


def _store(home: Path, name: str):
    from app.store.embedded import EmbeddedStore
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    uri = EmbeddedStore(home).ensure_running()
    s = Store.connect(StoreLocation(f"{uri}{name}", "bench", embedded=True))
    init_db(s)
    return s


def synthetic_cloud(env: str, hosts: int, tunnels: int = 30) -> list[dict]:
    """Per host: a vEdge, 3 pNICs, 4 vConnectors, an OTEP with `tunnels` ports, a DHCP, 4 instances with vNICs."""
    docs = []

    def add(t, i, host, **extra):
        docs.append({"environment": env, "type": t, "id": i, "name": i, "host": host, "id_path": f"/{env}/{host}/{i}",
                     "name_path": f"/{env}/{host}/{i}", **extra})
    for h in range(hosts):
        host = f"compute-{h}"
        add("host", host, host, ip_address=f"10.{h // 250}.{h % 250}.1")
        add("vedge", f"{host}-ovs", host)
        for n in range(3):
            add("host_pnic", f"eth{n}-fa:16:3e:{h // 256:02x}:{h % 256:02x}:{n:02x}", host, local_name=f"eth{n}")
        for n in range(4):
            add("vconnector", f"{host}-qbr{n}", host, bridge_name=f"qbr{n}")
            add("instance", f"{host}-vm{n}", host, local_name=f"instance-{h * 4 + n:08x}")
            add("vnic", f"{host}-tap{n}", host, vnic_type="instance_vnic", mac_address=f"fa:16:3e:00:{h % 256:02x}:{n:02x}",
                network=f"net-{h % 50}")
        add("vservice", f"{host}-qdhcp-net-{h % 50}", host, service_type="dhcp",
            local_service_id=f"qdhcp-net-{h % 50}", network=[f"net-{h % 50}"])
        add("otep", f"{host}-otep", host, ports=[{"name": f"vxlan-{p}", "type": "vxlan", "options": {
            "local_ip": f"172.16.{h // 250}.{h % 250}", "remote_ip": f"172.16.{p // 250}.{p % 250}"}}
            for p in range(tunnels) if p != h])
    return docs


def bench_generation() -> list[tuple]:
    from monitoring import config_store, files
    from monitoring.generate import generate
    from monitoring.templates import from_document
    from app.store.seed import load_seed

    env = {"name": "bench-gen", "mechanism_drivers": ["OVS"], "type_drivers": "vxlan",
           "configuration": [{"name": "Monitoring", "server_ip": "10.0.0.9", "rabbitmq_port": 5671,
                              "rabbitmq_user": "sensu", "rabbitmq_pass": "x", "provision": "Files",
                              "server_name": "s", "env_type": "production", "api_port": 4567, "type": "Sensu"}]}
    docs = synthetic_cloud(env["name"], HOSTS)
    templates = [from_document(d) for d in load_seed("monitoring_config_templates")]
    from app.clock import utcnow
    from app.store.embedded import EmbeddedStore

    rows = []
    with tempfile.TemporaryDirectory() as d:
        store = _store(Path(d) / "home", "gen")
        for what in ("first generation", "regeneration, nothing changed"):
            t0 = time.perf_counter()
            gen = generate(env, docs, [], templates)
            t1 = time.perf_counter()
            written = config_store.save(store, env["name"], "10.0.0.9", gen, utcnow())
            t2 = time.perf_counter()
            files.write_all(Path(d) / "files", gen)
            t3 = time.perf_counter()
            total = t3 - t0
            rows.append((f"config for 1,000 hosts: {what}", f"{gen.total_checks():,} checks, {len(docs):,} objects, "
                         f"{written:,} documents written",
                         f"generate {t1 - t0:.1f} s + store {t2 - t1:.1f} s + files {t3 - t2:.1f} s = {total:.1f} s",
                         "<= 30 s", "ok" if total <= 30 else "MISSED"))
        store.close()
        EmbeddedStore(Path(d) / "home").stop()
    return rows


def _bodies(env: str, objects: list[dict], count: int, flip_every: int) -> list[bytes]:
    """Sensu 1.x transport results cycling over `objects`; every `flip_every`-th one an Error."""
    from monitoring.ids import encode_id
    out = []
    for i in range(count):
        o = objects[i % len(objects)]
        status = 2 if flip_every and i % flip_every == flip_every - 1 else 0
        out.append(json.dumps({"client": f"{env}-{o['host']}", "check": {
            "name": f"{o['type']}_{encode_id(o['id'])}", "status": status, "output": "ok" if not status else "down",
            "executed": time.time(), "environment": env, "interval": 15, "standalone": True}}).encode())
    return out


def bench_throughput() -> list[tuple]:
    from kombu import Connection, Exchange
    from app.inventory import Inventory
    from app.store.embedded import EmbeddedStore
    from monitoring.consumer import ResultsConsumer
    from monitoring.results.processor import Processor

    env = "bench-results"
    docs = synthetic_cloud(env, HOSTS, tunnels=0)
    checked = [d for d in docs if d["type"] in ("vedge", "host_pnic", "vconnector", "instance", "vnic", "vservice")]
    exchange = f"results-bench-{uuid.uuid4().hex[:8]}"
    rows = []
    with tempfile.TemporaryDirectory() as d:
        store = _store(Path(d), "results")
        Inventory(store).upsert(docs)
        consumer = ResultsConsumer(RABBIT, Processor(store), queue=f"q-{exchange}", exchange=exchange, batch_max=1000)
        stop = threading.Event()
        threading.Thread(target=consumer.run, args=(stop,), daemon=True).start()
        consumer.connected.wait(10)
        try:
            with Connection(RABBIT) as conn:
                producer = conn.Producer()
                ex = Exchange(exchange, type="direct", durable=False)
                ex(producer.channel).declare()
                for what, bodies in (("first result of every object (a message each)",
                                      _bodies(env, checked, len(checked), 0)),
                                     ("steady state, 1 in 500 results a state change",
                                      _bodies(env, checked, RESULTS, 500))):
                    before = consumer.outcome.handled + consumer.outcome.stale + consumer.outcome.failed
                    changed = consumer.outcome.changed
                    t0 = time.perf_counter()   # publishing runs meanwhile, in this process (it shares the CPU)
                    for b in bodies:
                        producer.publish(b, exchange=ex, routing_key="", content_type="application/json",
                                         content_encoding="utf-8", timeout=30)
                    deadline = time.monotonic() + 600
                    while consumer.outcome.handled + consumer.outcome.stale + consumer.outcome.failed - before \
                            < len(bodies) and time.monotonic() < deadline:
                        time.sleep(0.05)
                    rate = len(bodies) / (time.perf_counter() - t0)
                    rows.append((f"results through RabbitMQ into the store: {what}",
                                 f"{len(bodies):,} results, {len(checked):,} objects, "
                                 f"{consumer.outcome.changed - changed:,} state changes, {consumer.outcome.failed} failed",
                                 f"{rate:,.0f} results/s", ">= 2,000/s", "ok" if rate >= 2000 else "MISSED"))
        finally:
            stop.set()
            with Connection(RABBIT) as conn:
                ch = conn.channel()
                ch.queue_delete(f"q-{exchange}")
                ch.exchange_delete(exchange)
            store.close()
            EmbeddedStore(Path(d)).stop()
    return rows


def bench_fault_latency() -> list[tuple]:
    from tests.integration.monitoring.support import start, wait_for
    from app.store.embedded import EmbeddedStore

    scale = 0.2
    interval = 15 * scale
    latencies = []
    with tempfile.TemporaryDirectory() as d:
        store = _store(Path(d) / "home", "latency")
        import tests.integration.monitoring.support as support
        support.SCALE = scale
        loop = start(store, Path(d), RABBIT)
        try:
            loop.consume()
            link = store["links"].find_one({"environment": loop.name, "link_type": "vedge-host_pnic"})
            pnic = {"environment": loop.name, "type": "host_pnic", "id": link["target_id"]}
            wait_for(lambda: (store["inventory"].find_one(pnic) or {}).get("status") == "OK", 60, "pNIC OK")
            for kind, want in (("add", "Error"), ("remove", "OK"), ("add", "Error"), ("remove", "OK")):
                t0 = time.monotonic()
                getattr(loop.conditions, kind)(link["host"], "pnic-down")
                wait_for(lambda: store["inventory"].find_one(pnic).get("status") == want, 60, want, step=0.05)
                latencies.append(time.monotonic() - t0)
        finally:
            loop.close()
            store.close()
            EmbeddedStore(Path(d) / "home").stop()
    worst = max(latencies)
    return [("fault -> status in the store", f"pnic-down/repair x2, check interval {interval:g} s",
             f"median {statistics.median(latencies):.2f} s, max {worst:.2f} s", f"<= {interval + 2:g} s",
             "ok" if worst <= interval + 2 else "MISSED")]


def run() -> None:
    rows = bench_generation()
    if _rabbit_up():
        rows += bench_throughput() + bench_fault_latency()
    else:
        print("RabbitMQ not reachable on 127.0.0.1:5672: throughput and latency benchmarks skipped")
    width = [max(len(str(r[i])) for r in rows) for i in range(5)]
    for r in [("measure", "workload", "result", "goal", "")] + rows:
        print("  ".join(str(c).ljust(w) for c, w in zip(r, width)), flush=True)
