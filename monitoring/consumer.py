"""Check results straight from the Sensu 1.x transport: no Sensu server needed.

Sensu clients publish every result to the direct exchange `results` of their RabbitMQ (vhost
`/sensu` by default). We declare the exchange as Sensu does (direct, not durable) and read it
through our own durable queue (`calipso-monitoring-results`), so a Sensu server reading its own
`results` queue is not robbed. Results are handled in batches; a batch is acknowledged only after
its store writes, so a crash redelivers it. A malformed result is recorded in failed_events and
acknowledged: it never blocks the queue. A lost broker is reconnected with backoff.
"""

from __future__ import annotations

import logging
import threading
from kombu import Consumer, Exchange, Queue, binding

from app.bus import connection, drain_in_batches, sensu_transport_url
from monitoring.results.processor import Outcome, Processor

log = logging.getLogger(__name__)

EXCHANGE = "results"
QUEUE = "calipso-monitoring-results"


def results_url(section: dict) -> str:
    """The Sensu transport of a Monitoring section (see app.bus.sensu_transport_url)."""
    return sensu_transport_url(section)


class ResultsConsumer:
    def __init__(self, url: str, processor: Processor, queue: str = QUEUE, exchange: str = EXCHANGE,
                 batch_max: int = 500, batch_wait: float = 0.05, idle: float = 0.5):
        self.url, self.processor = url, processor
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
        self.outcome.add(self.processor.handle_bodies([m.body for m in batch]))
        for m in batch:   # after the store write
            m.ack()


def _safe(url: str) -> str:
    if "@" in url and "://" in url:
        scheme, rest = url.split("://", 1)
        return f"{scheme}://***@{rest.split('@', 1)[1]}"
    return url
