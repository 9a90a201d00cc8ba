"""Poison check results on the Sensu transport (RabbitMQ for real) never block monitoring: each one is
recorded in failed_events with its reason and acknowledged once (no redelivery loop), and the valid
result published after them is applied at once. (The same bodies on stdin: tests/integration/
monitoring/test_handler_stdin.py.)"""

from __future__ import annotations

import json
import threading
import time
import uuid

import pytest
from kombu import Connection, Exchange, Producer

from monitoring.consumer import ResultsConsumer
from monitoring.results.processor import Processor
from tests.adversarial.conftest import wait_until
from tests.integration.monitoring.test_handler_stdin import ENV, seed, sensu1_event


def _poison(now: int) -> list[tuple[bytes, str]]:
    def event(**check) -> bytes:
        e = sensu1_event("vedge_v-1", 0, "ok", now)
        e["check"].update(check)
        return json.dumps(e).encode()
    quiet = sensu1_event("vedge_v-1", 2, "down", now)
    quiet["client"]["environment"] = "quiet-env"
    unknown = sensu1_event("vedge_v-1", 2, "down", now)
    unknown["client"]["environment"] = "no-such-env"
    return [(b"[" * 100_000 + b"]" * 100_000, "nested"),
            (event(status=10 ** 30), "from 0 to 255"),
            (event(status=-1), "from 0 to 255"),
            (event(executed=now + 10 ** 9), "in the future"),
            (json.dumps(quiet).encode(), "monitoring off"),
            (json.dumps(unknown).encode(), "monitoring off"),
            (b"\xff\xfe not json", "not JSON"),
            (b"x" * (300 << 10), "over the limit"),
            (b"[1, 2, 3]", "JSON object")]


@pytest.fixture
def monitored(initialized_store):
    seed(initialized_store)
    initialized_store["environments_config"].insert_many([{"name": ENV, "enable_monitoring": True},
                                                          {"name": "quiet-env", "enable_monitoring": False}])
    return initialized_store


def test_poison_results_are_dead_lettered_once_and_the_next_valid_one_applied(monitored, rabbitmq):
    exchange = f"adv-results-{uuid.uuid4().hex[:8]}"
    consumer = ResultsConsumer(rabbitmq, Processor(monitored), queue=f"{exchange}-q", exchange=exchange)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        assert consumer.connected.wait(30), "the results consumer did not connect"
        now = int(time.time())
        poison = _poison(now)
        with Connection(rabbitmq) as conn:
            producer = Producer(conn.channel(), exchange=Exchange(exchange, type="direct", durable=False))
            for body, _ in poison:
                producer.publish(body, routing_key="", content_type="application/octet-stream")
            producer.publish(json.dumps(sensu1_event("vedge_v-1", 1, "one process down", now)).encode(),
                             routing_key="", content_type="application/octet-stream")
        vedge = lambda: monitored["inventory"].find_one({"environment": ENV, "type": "vedge"})
        wait_until(lambda: vedge().get("status") == "Warning", 30, "the valid result behind the poison applied")
        time.sleep(2)   # a redelivered body would be counted again meanwhile
        failed = list(monitored["failed_events"].find({"source_system": "Sensu"}))
        reasons = " | ".join(f["reason"] for f in failed)
        for _, reason in poison:
            assert reason in reasons, (reason, reasons)
        assert len(failed) == len(poison) and all(f["count"] == 1 for f in failed), failed
        assert all(f["reason"] and len(f["body"]) <= 20000 for f in failed)
        assert monitored["messages"].count_documents({"environment": "quiet-env"}) == 0
        assert thread.is_alive() and consumer.connected.is_set()
    finally:
        stop.set()
        thread.join(15)
        with Connection(rabbitmq) as conn:
            ch = conn.channel()
            ch.queue_delete(f"{exchange}-q")
            ch.exchange_delete(exchange)
