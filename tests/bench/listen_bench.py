"""Listener latency: from publishing a notification to the store update it causes, p50/p95, at
10 and 100 events/s, through RabbitMQ, on the embedded store over the wire.

The cloud behind the fetchers is the recorded Zed cloud replayed in process (tests/scan_support/zed),
so the numbers are the listener's own cost (queue, decode, partial rescan, links, cliques, store
writes) without network latency to a cloud. Each event is a port.update.end (region + host rescan).
"""

from __future__ import annotations

import json
import socket
import statistics
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

from kombu import Connection, Exchange

RATES = ((10, 6.0), (100, 4.0))   # events/s, seconds
RABBIT = "amqp://guest:guest@127.0.0.1:5672//"


def _rabbit_up() -> bool:
    try:
        socket.create_connection(("127.0.0.1", 5672), timeout=1).close()
        return True
    except OSError:
        return False


def run() -> None:
    from app.envconfig.repository import EnvironmentConfigs
    from app.store.embedded import EmbeddedStore
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    from listen.apply import Applier
    from listen.consumer import Consumer
    from listen.events import load
    from listen.processor import Processor
    from scan.controller import ScanController, ScanOptions
    from tests.integration.listen.support import AMQP
    from tests.scan_support.zed import ENV, zed_clients

    if not _rabbit_up():
        print("RabbitMQ not reachable on 127.0.0.1:5672: listener benchmark skipped")
        return
    home = Path(tempfile.mkdtemp(prefix="listen-bench-"))
    embedded = EmbeddedStore(home)
    uri = embedded.ensure_running()
    template = json.loads(json.loads((AMQP / "port.update.end.json").read_text())["oslo.message"])
    print(f"{'events/s':>9} {'events':>7} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8} {'batches':>8}")
    try:
        for rate, seconds in RATES:
            store = Store.connect(StoreLocation(f"{uri}bench{rate}", "bench", embedded=True))
            init_db(store)
            EnvironmentConfigs(store).add(dict(ENV))
            ScanController(store, ScanOptions(env="zed", serial=True), clients_factory=zed_clients()).run()
            env = EnvironmentConfigs(store).get("zed")
            tag = uuid.uuid4().hex[:8]
            exchange = f"neutron-bench-{tag}"
            applier = Applier(store, env, clients_factory=zed_clients(), serial=True)
            consumer = Consumer("zed", RABBIT, Processor(store, "zed", load(), applier), queue=f"bench-{tag}",
                                exchanges=(exchange,))
            stop = threading.Event()
            th = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
            th.start()
            consumer.connected.wait(10)
            sent: dict[str, float] = {}
            n = int(rate * seconds)
            with Connection(RABBIT) as conn:
                producer = conn.Producer()
                ex = Exchange(exchange, type="topic", durable=False)
                start = time.time()
                for i in range(n):
                    target = start + i / rate
                    if (d := target - time.time()) > 0:
                        time.sleep(d)
                    mid = f"b-{tag}-{i}"
                    body = dict(template, message_id=mid, timestamp=datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f"))
                    sent[mid] = time.time()
                    producer.publish(json.dumps({"oslo.version": "2.0", "oslo.message": json.dumps(body)}), exchange=ex,
                                     routing_key="notifications.info", content_type="application/json", declare=[ex])
            deadline = time.time() + 120
            while store["listen_events"].count_documents({"done": True}) < n and time.time() < deadline:
                time.sleep(0.2)
            stop.set()
            th.join(15)
            applier.close()
            lat = []
            for d in store["listen_events"].find({"done": True}):
                fin = d["finished"]
                fin = fin.replace(tzinfo=timezone.utc) if fin.tzinfo is None else fin
                lat.append((fin.timestamp() - sent[d["message_id"]]) * 1000)
            lat.sort()
            p50 = statistics.median(lat)
            p95 = lat[min(len(lat) - 1, int(round(0.95 * len(lat))) - 1)]
            print(f"{rate:>9} {len(lat):>7} {p50:>8.1f} {p95:>8.1f} {lat[-1]:>8.1f} {consumer.batches:>8}", flush=True)
            with Connection(RABBIT) as conn:
                conn.default_channel.queue_delete(f"bench-{tag}")
                conn.default_channel.exchange_delete(exchange)
            store.client.drop_database(f"bench{rate}")
    finally:
        embedded.stop()
