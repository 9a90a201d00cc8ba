"""The embedded store frozen (SIGSTOP) or killed (SIGKILL) in the middle of each service's own work, on a store
of the test's own (tests/adversarial/test_store_freeze.py stops it under the running services instead):
- a scan's write phase, stopped after its objects and before its links: the scan completes once the store is
  back (scan.outage applies the difference again), and what it wrote is the whole picture (a second scan
  finds nothing to change), never objects without their links;
- a listener batch: the events in flight are applied once the store is back, each exactly once (acknowledged
  only after the write, so none is lost);
- a monitoring result being applied: applied once the store is back, never dead-lettered, never looping.
The service code runs in threads of this process against the simulated (recorded) cloud; every wait is bounded.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
import uuid

import pytest
from kombu import Connection, Exchange, Producer

from app.links import Links
from app.store.embedded import EmbeddedStore
from app.store.init import init_db
from app.store.keeper import StoreKeeper
from app.store.store import Store, StoreLocation
from tests.adversarial.conftest import wait_until

STOPPED = 6.0      # seconds the store stays frozen or dead while the service is in the middle of its work


class OwnStore:
    """An embedded store under its own home, stopped and brought back as the test says."""

    def __init__(self, home):
        self.embedded = EmbeddedStore(home)
        uri = self.embedded.ensure_running()
        self.store = Store.connect(StoreLocation(f"{uri}calipso", "mid-work store", embedded=True, home=str(home)))
        init_db(self.store)

    def stop(self, how: str) -> None:
        self.pid = self.embedded.read_state().pid
        os.kill(self.pid, signal.SIGSTOP if how == "freeze" else signal.SIGKILL)

    def back(self, how: str) -> None:
        if how == "freeze":
            os.kill(self.pid, signal.SIGCONT)
        else:
            self.embedded.ensure_running()      # on its port, so the clients find it again

    def close(self) -> None:
        try:
            os.kill(self.pid, signal.SIGCONT)
        except (AttributeError, OSError):
            pass
        self.store.close()
        self.embedded.stop()


@pytest.fixture
def own(tmp_path):
    s = OwnStore(tmp_path)
    yield s
    s.close()


def stopped_for(own: OwnStore, how: str, seconds: float = STOPPED) -> None:
    own.stop(how)
    try:
        time.sleep(seconds)
    finally:
        own.back(how)


# -- a scan's write phase -----------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["freeze", "kill"])
def test_a_scan_stopped_in_its_write_phase_completes_once_the_store_is_back(own, how, monkeypatch):
    from scan.controller import ScanController, ScanOptions
    from tests.integration.listen.support import add_env, diff, snapshot
    from tests.scan_support.zed import ENV, zed_clients

    add_env(own.store, ENV)
    reached, original = threading.Event(), Links.write
    back = threading.Timer(STOPPED, own.back, (how,))

    def links_write(self, *args, **kwargs):     # the objects are written; the links are next
        if not reached.is_set():
            reached.set()
            own.stop(how)
            back.start()
        return original(self, *args, **kwargs)
    monkeypatch.setattr(Links, "write", links_write)

    result = ScanController(own.store, ScanOptions(env="zed", serial=True), clients_factory=zed_clients()).run()
    assert reached.is_set(), "the scan never reached its links"
    back.join()     # the scan may have brought a killed store back itself: this start must not outlive the test
    monkeypatch.setattr(Links, "write", original)
    wait_until(lambda: own.store.client.admin.command("ping"), 60, "the store is back")
    assert result.status in ("completed", "completed_with_errors"), result.reason
    first = snapshot(own.store, "zed")
    again = ScanController(own.store, ScanOptions(env="zed", serial=True), clients_factory=zed_clients()).run()
    assert again.status in ("completed", "completed_with_errors"), again.reason
    second = snapshot(own.store, "zed")
    assert second["links"] and second["inventory"] and second["cliques"]
    assert diff(first, second) == {}, "the scan completed but wrote only part of the picture"


# -- a listener batch ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["freeze", "kill"])
def test_listener_events_in_flight_when_the_store_stops_are_applied_once_after(own, how, rabbitmq):
    from listen.apply import Applier
    from listen.consumer import Backoff, Consumer
    from listen.events import load
    from listen.processor import Processor, RetryPolicy
    from tests.integration.listen.support import add_env, full_scan
    from tests.integration.listen.test_consumer_rabbitmq import Running, port_update, publish
    from tests.scan_support.zed import ENV, zed_clients

    store = own.store
    env = add_env(store, ENV)
    full_scan(store, "zed", zed_clients())
    tag = uuid.uuid4().hex[:10]
    exchanges = (f"nova-{tag}", f"neutron-{tag}")
    applier = Applier(store, env, clients_factory=zed_clients(), serial=True)
    consumer = Consumer("zed", rabbitmq, Processor(store, "zed", load(), applier, RetryPolicy(attempts=2, backoff=0.01)),
                        queue=f"calipso-adv-{tag}", exchanges=exchanges, batch_max=4,
                        backoff=Backoff(start=0.2, step=0.5, max=2.0, connect_retries=1))
    run = Running(consumer)
    events = [port_update(i) for i in range(30)]
    try:
        publish(rabbitmq, exchanges[1], events)
        wait_until(lambda: store["listen_events"].count_documents({"done": True}) >= 2, 60, "the listener applies")
        in_flight = len(events) - store["listen_events"].count_documents({"done": True})
        stopped_for(own, how)      # batches in flight meanwhile
        assert in_flight > 0, "every event was applied before the store stopped: nothing was tested"
        wait_until(lambda: store["listen_events"].count_documents({"done": True}) == len(events), 90,
                   "every event applied after the store came back")
    finally:
        run.close()
        applier.close()
        with Connection(rabbitmq) as conn:
            conn.default_channel.queue_delete(f"calipso-adv-{tag}")
    for e in events:
        assert store["messages"].count_documents({"id": e["message_id"]}) == 1, e["message_id"]
    assert store["failed_events"].count_documents({}) == 0, list(store["failed_events"].find())


# -- a monitoring result ------------------------------------------------------------------------------------

@pytest.mark.parametrize("how", ["freeze", "kill"])
def test_a_monitoring_result_in_flight_when_the_store_stops_is_applied_after(own, how, rabbitmq):
    from monitoring.consumer import ResultsConsumer
    from monitoring.results.processor import Processor
    from tests.integration.monitoring.test_handler_stdin import ENV, seed, sensu1_event

    store = own.store
    seed(store)
    store["environments_config"].insert_one({"name": ENV, "enable_monitoring": True})
    exchange = f"adv-midwork-{uuid.uuid4().hex[:8]}"
    keeper = StoreKeeper(store)
    consumer = ResultsConsumer(rabbitmq, Processor(store), queue=f"{exchange}-q", exchange=exchange, keeper=keeper)
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()

    def publish(status: int) -> None:
        with Connection(rabbitmq) as conn:
            Producer(conn.channel(), exchange=Exchange(exchange, type="direct", durable=False)).publish(
                json.dumps(sensu1_event("vedge_v-1", status, f"status {status}", int(time.time()))).encode(),
                routing_key="", content_type="application/octet-stream")

    def ready() -> int:
        with Connection(rabbitmq) as conn:
            return conn.default_channel.queue_declare(f"{exchange}-q", passive=True)[1]

    vedge = lambda: store["inventory"].find_one({"environment": ENV, "type": "vedge"}) or {}
    try:
        assert consumer.connected.wait(30), "the results consumer did not connect"
        publish(1)
        wait_until(lambda: vedge().get("status_value") == 1, 30, "a result is applied")
        handled = consumer.outcome.handled
        own.stop(how)
        try:
            publish(2)
            wait_until(lambda: ready() == 0, 30, "the consumer took the result")    # now applying it
            time.sleep(STOPPED)
        finally:
            own.back(how)
        wait_until(lambda: vedge().get("status_value") == 2, 60, "the result is applied after the store came back")
        wait_until(lambda: consumer.outcome.handled > handled, 30, "the consumer counts the result handled")
        settled = consumer.outcome.handled
        time.sleep(3)      # a result handled again and again would be counted meanwhile
        assert consumer.outcome.handled == settled <= handled + 2, (handled, settled, consumer.outcome.handled)
        assert store["failed_events"].count_documents({}) == 0, list(store["failed_events"].find())
        assert thread.is_alive() and ready() == 0
    finally:
        stop.set()
        thread.join(15)
        with Connection(rabbitmq) as conn:
            ch = conn.channel()
            ch.queue_delete(f"{exchange}-q")
            ch.exchange_delete(exchange)
