"""The consumer against the real RabbitMQ: its own durable queue, bad input and poison events
recorded while the stream goes on, a broker outage losing nothing, a killed listener applying
the event it was in the middle of exactly once after a restart.

Each test uses its own exchange and queue names, so parallel runs and the simulator's own
publishing never reach it. The store is the recorded Zed cloud, scanned for real.
"""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from kombu import Connection, Exchange

from listen.apply import Applier
from listen.consumer import Backoff, Consumer
from listen.events import load
from listen.processor import Processor, RetryPolicy
from tests.integration.listen.support import AMQP, add_env, diff, full_scan, snapshot
from tests.integration.listen.tcpproxy import TcpProxy
from tests.scan_support.zed import ENV, zed_clients

PORT_UPDATE = json.loads(json.loads((AMQP / "port.update.end.json").read_text())["oslo.message"])


@pytest.fixture
def zed(initialized_store):
    env = add_env(initialized_store, ENV)
    full_scan(initialized_store, "zed", zed_clients())
    return initialized_store, env


@pytest.fixture
def names():
    tag = uuid.uuid4().hex[:10]
    return {"queue": f"calipso-test-{tag}", "exchanges": (f"nova-{tag}", f"neutron-{tag}")}


def publish(url: str, exchange: str, bodies: list) -> None:
    with Connection(url) as conn:
        producer = conn.Producer()
        ex = Exchange(exchange, type="topic", durable=False)
        for body in bodies:
            data = body if isinstance(body, bytes) else json.dumps(
                {"oslo.version": "2.0", "oslo.message": json.dumps(body)}).encode()
            producer.publish(data, exchange=ex, routing_key="notifications.info", content_type="application/json",
                             content_encoding="utf-8", delivery_mode=2, declare=[ex])


def port_update(i: int) -> dict:
    return dict(PORT_UPDATE, message_id=f"msg-{i:04d}-{uuid.uuid4().hex[:6]}",
                timestamp=f"2026-11-24 18:00:{i % 60:02d}.{i:06d}")


class Running:
    def __init__(self, consumer: Consumer):
        self.consumer = consumer
        self.stop = threading.Event()
        self.thread = threading.Thread(target=consumer.run, args=(self.stop,), daemon=True)
        self.thread.start()
        assert consumer.connected.wait(10), "consumer did not connect"

    def close(self) -> None:
        self.stop.set()
        self.thread.join(15)


def wait_for(predicate, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def make_consumer(store, env, url, names, applier=None, retry=None) -> tuple[Consumer, Applier]:
    applier = applier or Applier(store, env, clients_factory=zed_clients(), serial=True)
    processor = Processor(store, "zed", load(), applier, retry or RetryPolicy(attempts=2, backoff=0.01))
    consumer = Consumer("zed", url, processor, queue=names["queue"], exchanges=names["exchanges"],
                        backoff=Backoff(start=0.1, step=0.2, max=0.5, connect_retries=1))
    return consumer, applier


def test_own_durable_queue_bound_to_nova_and_neutron(zed, names, rabbitmq):
    store, env = zed
    consumer, applier = make_consumer(store, env, rabbitmq, names)
    run = Running(consumer)
    try:
        publish(rabbitmq, names["exchanges"][1], [port_update(1)])
        wait_for(lambda: store["listen_events"].count_documents({"done": True}) == 1)
    finally:
        run.close()
        applier.close()
    with Connection(rabbitmq) as conn:    # still there, durable, for the listener's next start
        _, count, _ = conn.default_channel.queue_declare(names["queue"], passive=True)
        assert count == 0
        conn.default_channel.queue_delete(names["queue"])


class PoisonApplier(Applier):
    """Fails every batch holding the poison object: stands for a handler bug on one event."""
    poison = "poison-port"

    def apply(self, plans):
        if any(p.object_id == self.poison for p in plans):
            raise RuntimeError("handler bug on the poison event")
        return super().apply(plans)


def test_bad_input_and_a_poison_event_are_recorded_and_the_stream_goes_on(zed, names, rabbitmq):
    store, env = zed
    before = snapshot(store, "zed")
    applier = PoisonApplier(store, env, clients_factory=zed_clients(), serial=True)
    consumer, _ = make_consumer(store, env, rabbitmq, names, applier=applier)
    run = Running(consumer)
    poison = dict(port_update(2), payload={"port": dict(PORT_UPDATE["payload"]["port"], id="poison-port")})
    good = port_update(3)
    try:
        publish(rabbitmq, names["exchanges"][1], [
            b"this is not json", {"event_type": "made.up.event", "payload": {}, "message_id": "u1"},
            {"event_type": "port.create.end", "payload": {"port": {"id": "p"}}, "message_id": "m1"},
            poison, good])
        wait_for(lambda: store["failed_events"].count_documents({}) == 4
                 and store["listen_events"].count_documents({"done": True, "outcome": "applied"}) == 1)
    finally:
        run.close()
        applier.close()
    reasons = sorted(d["reason"] for d in store["failed_events"].find({"environment": "zed"}))
    assert any("not JSON" in r for r in reasons)
    assert any("unknown event type 'made.up.event'" in r for r in reasons)
    assert any("port.network_id is missing" in r for r in reasons)
    assert any("handler bug on the poison event" in r for r in reasons)
    assert store["messages"].count_documents({"id": good["message_id"]}) == 1
    assert diff(snapshot(store, "zed"), before) == {}


def test_a_broker_outage_in_the_middle_of_a_stream_loses_nothing(zed, names, rabbitmq):
    store, env = zed
    proxy = TcpProxy(("127.0.0.1", 5672))
    consumer, applier = make_consumer(store, env, f"amqp://guest:guest@127.0.0.1:{proxy.port}//", names)
    states: list[str] = []
    consumer.on_state = lambda state, reason: states.append(state)
    run = Running(consumer)
    events = [port_update(i) for i in range(40)]
    try:
        publish(rabbitmq, names["exchanges"][1], events[:20])
        wait_for(lambda: store["listen_events"].count_documents({"done": True}) >= 3)
        proxy.cut()                                    # the broker goes away mid-stream
        publish(rabbitmq, names["exchanges"][1], events[20:])
        time.sleep(1.0)
        proxy.restore()
        wait_for(lambda: store["listen_events"].count_documents({"done": True}) == 40, timeout=60)
    finally:
        run.close()
        applier.close()
        proxy.close()
    assert states.count("error") >= 1 and states[-1] == "running"   # it lost the broker and came back
    for e in events:
        assert store["messages"].count_documents({"id": e["message_id"]}) == 1, e["message_id"]
    assert store["failed_events"].count_documents({}) == 0


KILLER = """
import os, sys, threading
sys.path.insert(0, {root!r})
from app.store.store import Store, StoreLocation
from app.envconfig.repository import EnvironmentConfigs
from listen.apply import Applier
from listen.consumer import Consumer
from listen.events import load
from listen.ledger import Ledger
from listen.processor import Processor
from tests.scan_support.zed import zed_clients
store = Store.connect(StoreLocation({uri!r}, "test", embedded=True))
env = EnvironmentConfigs(store).get("zed")
def die(self, *a, **k):
    os._exit(9)              # killed after the store write, before the event is marked done and acked
Ledger.done = die
applier = Applier(store, env, clients_factory=zed_clients(), serial=True)
c = Consumer("zed", {url!r}, Processor(store, "zed", load(), applier), queue={queue!r}, exchanges={exchanges!r})
c.run(threading.Event())
"""


def test_a_listener_killed_in_the_middle_of_an_event_applies_it_exactly_once_after_restart(zed, names, rabbitmq,
                                                                                            store_uri):
    store, env = zed
    scanned = snapshot(store, "zed")
    vm1 = "544716d7-d703-4f86-a60c-801a01f64b4d"
    off = {"event_type": "compute.instance.power_off.end", "publisher_id": "compute.compute1",
           "message_id": f"kill-{uuid.uuid4().hex[:8]}", "timestamp": "2026-11-24 18:30:00.000001",
           "payload": {"instance_id": vm1, "host": "compute1", "state": "stopped"}}
    script = KILLER.format(root=str(Path(__file__).resolve().parents[3]), uri=f"{store_uri}{store.db.name}",
                           url=rabbitmq, queue=names["queue"], exchanges=names["exchanges"])
    proc = subprocess.Popen([sys.executable, "-c", script])
    try:
        wait_for(lambda: _queue_exists(rabbitmq, names["queue"]), timeout=30)
        publish(rabbitmq, names["exchanges"][0], [off])
        assert proc.wait(60) == 9
    finally:
        if proc.poll() is None:
            proc.kill()
    assert store["messages"].count_documents({"id": off["message_id"]}) == 1   # it got as far as the message
    consumer, applier = make_consumer(store, env, rabbitmq, names)
    run = Running(consumer)
    try:
        wait_for(lambda: store["listen_events"].count_documents({"message_id": off["message_id"], "done": True}) == 1)
    finally:
        run.close()
        applier.close()
    ev = store["listen_events"].find_one({"message_id": off["message_id"]})
    assert ev["attempts"] == 2 and ev["outcome"] == "applied"
    assert store["messages"].count_documents({"id": off["message_id"]}) == 1
    assert store["inventory"].find_one({"environment": "zed", "id": vm1})["status"] == "SHUTOFF"
    assert diff(snapshot(store, "zed"), scanned) == {}


def _queue_exists(url: str, name: str) -> bool:
    try:
        with Connection(url) as conn:
            conn.default_channel.queue_declare(name, passive=True)
            return True
    except Exception:
        return False


class OnceFailingProcessor(Processor):
    """Raises, once, an error that is nobody's connection (as a handler's unguarded decode would)."""
    failed = False

    def handle(self, batch):
        if not self.failed:
            self.failed = True
            json.loads("")      # JSONDecodeError: Expecting value
        return super().handle(batch)


def test_a_batch_that_fails_is_said_to_fail_with_where_and_comes_again(zed, names, rabbitmq, caplog):
    store, env = zed
    applier = Applier(store, env, clients_factory=zed_clients(), serial=True)
    processor = OnceFailingProcessor(store, "zed", load(), applier, RetryPolicy(attempts=2, backoff=0.01))
    consumer = Consumer("zed", rabbitmq, processor, queue=names["queue"], exchanges=names["exchanges"],
                        backoff=Backoff(start=0.1, step=0.2, max=0.5, connect_retries=1))
    states: list[tuple[str, str]] = []
    consumer.on_state = lambda state, reason: states.append((state, reason))
    run = Running(consumer)
    event = port_update(5)
    try:
        with caplog.at_level("WARNING", logger="listen.consumer"):
            publish(rabbitmq, names["exchanges"][1], [event])
            wait_for(lambda: store["messages"].count_documents({"id": event["message_id"]}) == 1)
    finally:
        run.close()
        applier.close()
    failed = [r for r in caplog.records if "handling a batch of events failed" in r.getMessage()]
    assert failed and failed[0].exc_info and "json.loads" in caplog.text    # the traceback says where
    assert not any("lost the broker" in r.getMessage() for r in caplog.records)
    assert ("error", "a batch failed: JSONDecodeError: Expecting value: line 1 column 1 (char 0)") in states
    assert states[-1][0] == "running"
