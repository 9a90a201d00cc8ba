"""Check results straight from the Sensu 1.x transport: no Sensu server needed.

Sensu clients publish every result to the direct exchange `results` of their RabbitMQ (vhost
`/sensu` by default). We declare the exchange as Sensu does (direct, not durable) and read it
through our own durable queue (`calipso-monitoring-results`), so a Sensu server reading its own
`results` queue is not robbed. Results are handled in batches; a batch is acknowledged only after
its store writes, so a crash redelivers it. A malformed result is recorded in failed_events and
acknowledged: it never blocks the queue (a batch that still fails is handled again one result at a
time, and the result that fails alone is recorded and acknowledged). A lost broker is reconnected with
backoff; while the store is away nothing is acknowledged, and the consumer waits for the store (its
keeper logs and retries) before it reads again.
"""

from __future__ import annotations

import logging
import threading
from kombu import Consumer, Exchange, Queue, binding

from app.bus import connection, drain_in_batches, sensu_transport_url
from app.store.keeper import StoreKeeper, is_unavailable
from monitoring.results.processor import Outcome, Processor

log = logging.getLogger(__name__)

EXCHANGE = "results"
QUEUE = "calipso-monitoring-results"


def results_url(section: dict) -> str:
    """The Sensu transport of a Monitoring section (see app.bus.sensu_transport_url)."""
    return sensu_transport_url(section)


class ResultsConsumer:
    def __init__(self, url: str, processor: Processor, queue: str = QUEUE, exchange: str = EXCHANGE,
                 batch_max: int = 500, batch_wait: float = 0.05, idle: float = 0.5,
                 keeper: StoreKeeper | None = None):
        self.url, self.processor, self.keeper = url, processor, keeper
        self.queue_name, self.exchange_name = queue, exchange
        self.batch_max, self.batch_wait, self.idle = batch_max, batch_wait, idle
        self.outcome = Outcome()
        self.connected = threading.Event()
        self._pending: list = []

    def queue(self) -> Queue:
        return Queue(self.queue_name, durable=True, auto_delete=False,
                     bindings=[binding(Exchange(self.exchange_name, type="direct", durable=False), routing_key="")])

    def run(self, stop: threading.Event) -> None:
        delay = 0.2
        while not stop.is_set():
            conn = None
            try:
                conn = connection(self.url, connect_timeout=5)
                conn.ensure_connection(max_retries=3, interval_start=0.2, interval_step=0.5, interval_max=5)
                channel = conn.channel()
                q = self.queue()(channel)
                q.declare()
                consumer = Consumer(channel, queues=[q], on_message=lambda m: self._pending.append(m),
                                    prefetch_count=self.batch_max * 2)
                self._pending = []      # not what closing the last connection read: its channel is gone
                consumer.consume()
                self.connected.set()
                log.info("reading Sensu results from %s (queue %s)", _safe(self.url), self.queue_name)
                delay = 0.2
                self._loop(conn, stop)
            except Exception as e:   # broker errors of every kind, and a store that went away
                self.connected.clear()
                self._pending.clear()   # unacknowledged: redelivered
                if stop.is_set():
                    break
                if is_unavailable(e) and self.keeper is not None:
                    self.keeper.mark_down(e)
                    self.keeper.wait_until_up(stop)     # logs once, retries with backoff
                    continue
                log.warning("results consumer: %s: %s; reconnecting in %.1f s", type(e).__name__, e, delay)
                stop.wait(delay)
                delay = min(delay * 2, 5.0)
            finally:
                if conn is not None:
                    try:
                        conn.release()
                    except Exception:
                        pass
        self.connected.clear()

    def _loop(self, conn, stop: threading.Event) -> None:
        drain_in_batches(conn, lambda: self._pending, self._take, self._handle, stop, self.idle, self.batch_wait,
                         self.batch_max)

    def _take(self) -> list:
        batch, self._pending = self._pending, []
        return batch

    def _handle(self, batch: list) -> None:
        try:
            outcome = self.processor.handle_bodies([m.body for m in batch])
        except Exception as e:
            if is_unavailable(e):
                raise           # not acknowledged: redelivered once the store is back
            log.warning("a batch of %d results failed (%s: %s); handling them one at a time", len(batch),
                        type(e).__name__, e)
            outcome = Outcome()
            for m in batch:
                outcome.add(self._alone(m.body))
        self.outcome.add(outcome)
        for m in batch:   # after the store write
            m.ack()

    def _alone(self, body) -> Outcome:
        try:
            return self.processor.handle_bodies([body])
        except Exception as e:
            if is_unavailable(e):
                raise
            return self.processor.dead_letter(f"could not be handled: {type(e).__name__}: {e}"[:500], body)


def _safe(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
