"""The attacks of issue 27 as numbers, for hardening_bench: what the others still get while slow clients
hold connections, right passwords during a guessing flood, a poison result's delay on the valid one
behind it, and the time a frozen store costs. Loopback only; attackers at 127.0.0.2."""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid

import requests

from tests.adversarial.attackers import ATTACKER, SlowClients, call, latencies, p99


def slow_clients(url: str, path: str, count: int = 100, seconds: float = 15.0) -> tuple[float, float, int, int]:
    """p99 and max seconds of `GET path` for others while `count` clients send a header line every 3 s;
    with the connections the attack got and those the server closed (head timeout)."""
    port = int(url.rsplit(":", 1)[1])
    s = requests.Session()
    with SlowClients("127.0.0.1", port, count=count, interval=3.0) as attack:
        seen = latencies(lambda: s.get(f"{url}{path}", timeout=30).status_code, seconds)
        held, closed = attack.opened, attack.closed_by_server
    return p99(seen), max(seen), held, closed


def logins_during_flood(url: str, auth: tuple[str, str], seconds: float = 15.0, clients: int = 20) -> tuple[int, int, dict]:
    """Right-password token requests (each a bcrypt check) made while `clients` guess Basic passwords
    from another address: (made, refused, the guessers' answers)."""
    import base64

    answers: dict[int, int] = {}
    stop = time.monotonic() + seconds

    def guesser(i: int) -> None:
        n = 0
        while time.monotonic() < stop:
            n += 1
            creds = base64.b64encode(f"victim{i % 3}:guess-{i}-{n}".encode()).decode()
            try:
                code = call(f"{url}/environment_configs", headers={"Authorization": f"Basic {creds}"},
                            source=ATTACKER)[0]
            except OSError:
                code = 0
            answers[code] = answers.get(code, 0) + 1
    threads = [threading.Thread(target=guesser, args=(i,)) for i in range(clients)]
    for t in threads:
        t.start()
    made = refused = 0
    body = {"auth": {"methods": ["credentials"], "credentials": {"username": auth[0], "password": auth[1]}}}
    while time.monotonic() < stop:
        made += 1
        refused += requests.post(f"{url}/auth/tokens", json=body, timeout=60).status_code != 201
    for t in threads:
        t.join(60)
    return made, refused, answers


def poison_delay(store, amqp_url: str) -> tuple[float, int]:
    """Seconds from publishing a valid result behind 9 poison ones to its status in the store, and the
    failed events recorded (each once)."""
    from kombu import Connection, Exchange, Producer

    from monitoring.consumer import ResultsConsumer
    from monitoring.results.processor import Processor
    from tests.adversarial.test_poison_results import _poison
    from tests.integration.monitoring.test_handler_stdin import ENV, seed, sensu1_event

    seed(store)
    store["environments_config"].insert_many([{"name": ENV, "enable_monitoring": True},
                                              {"name": "quiet-env", "enable_monitoring": False}])
    exchange = f"bench-results-{uuid.uuid4().hex[:8]}"
    consumer = ResultsConsumer(amqp_url, Processor(store), queue=f"{exchange}-q", exchange=exchange)
    stop = threading.Event()
    threading.Thread(target=consumer.run, args=(stop,), daemon=True).start()
    try:
        if not consumer.connected.wait(30):
            return float("inf"), 0
        now = int(time.time())
        with Connection(amqp_url) as conn:
            producer = Producer(conn.channel(), exchange=Exchange(exchange, type="direct", durable=False))
            for body, _ in _poison(now):
                producer.publish(body, routing_key="", content_type="application/octet-stream")
            producer.publish(json.dumps(sensu1_event("vedge_v-1", 1, "down", now)).encode(), routing_key="",
                             content_type="application/octet-stream")
            sent = time.monotonic()
        took = float("inf")
        while time.monotonic() - sent < 60:
            if (store["inventory"].find_one({"environment": ENV, "type": "vedge"}) or {}).get("status_value") == 1:
                took = time.monotonic() - sent
                break
            time.sleep(0.05)
        time.sleep(2)
        return took, sum(d.get("count", 0) for d in store["failed_events"].find({}))
    finally:
        stop.set()
        with Connection(amqp_url) as conn:
            ch = conn.channel()
            ch.queue_delete(f"{exchange}-q")
            ch.exchange_delete(exchange)


def frozen_store(store_pid: int, urls: list[str], auth, freeze: float = 30.0) -> tuple[list[tuple], list[float]]:
    """For each URL: how long requests sent during a `freeze`-second SIGSTOP of the store took to be answered
    (the first, sent at once, and the slowest of the next 3), and the seconds after the freeze until it
    answers 200 again."""
    os.kill(store_pid, signal.SIGSTOP)
    stopped = time.monotonic()
    answered = []
    try:
        for url in urls:
            took = []
            for _ in range(4):
                start = time.monotonic()
                try:
                    requests.get(url, auth=auth, timeout=30)
                except requests.RequestException:
                    pass
                took.append(time.monotonic() - start)
            answered.append((took[0], max(took[1:])))
        time.sleep(max(0.0, freeze - (time.monotonic() - stopped)))
    finally:
        os.kill(store_pid, signal.SIGCONT)
    resumed = time.monotonic()
    out = []
    for url in urls:
        took = float("inf")
        while time.monotonic() - resumed < 120:
            try:
                if requests.get(url, auth=auth, timeout=10).status_code == 200:
                    took = time.monotonic() - resumed
                    break
            except requests.RequestException:
                pass
            time.sleep(0.1)
        out.append(took)
    return answered, out
