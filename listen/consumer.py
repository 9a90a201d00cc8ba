"""One environment's AMQP consumer: its own durable queue, batches, ack after the store write,
reconnection with backoff.

The queue (app.listener_queue: `calipso-<env>-notifications` by default) is bound to the `nova` and `neutron` topic
exchanges with routing key `notifications.info`; OpenStack's own queues are never consumed
(the original competed with telemetry on them, spec §6.2 #17). Exchanges are declared as oslo
declares them (topic, non-durable) so either side may come first. Messages stay unacknowledged
until the Processor has written the store; a broker lost mid-batch redelivers them, and the
ledger makes a redelivered, already-applied event a no-op.
"""

from __future__ import annotations

import logging
import threading
from dataclasses import dataclass
from typing import Callable

from kombu import Consumer as KombuConsumer, Queue
from kombu.exceptions import KombuError

from app.bus import connection, drain_in_batches
from app.listener_queue import EXCHANGES, ROUTING_KEY, amqp_url, notification_queue, queue_name
from app.store.keeper import is_unavailable
from listen.processor import Delivery, Processor

log = logging.getLogger(__name__)

__all__ = ["Backoff", "Consumer", "EXCHANGES", "ROUTING_KEY", "amqp_url", "queue_name"]


def _transport_error(e: Exception, conn) -> bool:
    """Whether an error is the broker connection's (its transport's connection and channel errors, a socket's,
    kombu's own), not one raised while handling a batch."""
    known = (OSError, KombuError)
    if conn is not None:
        known += tuple(conn.connection_errors) + tuple(conn.channel_errors)
    return isinstance(e, known)


@dataclass
class Backoff:
    """Reconnection knobs, as kombu's Connection.ensure_connection takes them."""
    start: float = 0.2
    step: float = 0.5
    max: float = 5.0
    connect_retries: int = 3      # per connection attempt; the loop around it goes on while listening

    def delays(self):
        d = self.start
        while True:
            yield d
            d = min(d + self.step, self.max)


class Consumer:
    def __init__(self, env: str, url: str, processor: Processor, queue: str | None = None,
                 exchanges: tuple[str, ...] = EXCHANGES, routing_key: str = ROUTING_KEY,
                 batch_max: int = 64, batch_wait: float = 0.01, idle: float = 0.5,
                 backoff: Backoff | None = None, on_state: Callable[[str, str], None] | None = None,
                 polling_interval: float = 0.02):
        self.env = env
        self.url = url
        self.processor = processor
        self.queue_name = queue or queue_name(env)
        self.exchanges = tuple(exchanges)
        self.routing_key = routing_key
        self.batch_max = batch_max
        self.batch_wait = batch_wait
        self.idle = idle
        self.backoff = backoff or Backoff()
        self.on_state = on_state or (lambda state, reason: None)
        self.polling_interval = polling_interval
        self._pending: list[Delivery] = []
        self.connected = threading.Event()
        self.batches = 0

    def queue(self) -> Queue:
        return notification_queue(self.queue_name, self.exchanges, self.routing_key)

    def _on_message(self, message) -> None:
        self._pending.append(Delivery(message.body, message.ack))

    def _connect(self):
        conn = connection(self.url, connect_timeout=5)
        if self.url.startswith(("filesystem://", "memory://")):
            conn.transport_options["polling_interval"] = self.polling_interval
        conn.ensure_connection(max_retries=self.backoff.connect_retries, interval_start=self.backoff.start,
                               interval_step=self.backoff.step, interval_max=self.backoff.max,
                               errback=lambda exc, interval: log.warning(
                                   "%s: broker not reachable (%s), next try in %.1f s", self.env, exc, interval))
        return conn

    def run(self, stop: threading.Event) -> None:
        """Consume until `stop` is set; a lost broker is reconnected with backoff, never fatal."""
        delays = self.backoff.delays()
        while not stop.is_set():
            conn = None
            try:
                conn = self._connect()
                channel = conn.channel()
                q = self.queue()(channel)
                q.declare()
                consumer = KombuConsumer(channel, queues=[q], on_message=self._on_message, prefetch_count=self.batch_max * 4)
                # closing the last connection may have read deliveries it had prefetched: acking them on its closed
                # channel failed every batch, so the listener reconnected in a loop (after a store outage mid-batch)
                self._pending = []
                consumer.consume()
                self.connected.set()
                self.on_state("running", "")
                log.info("%s: listening on queue %s (exchanges %s, key %s)", self.env, self.queue_name,
                         ", ".join(self.exchanges), self.routing_key)
                delays = self.backoff.delays()
                self._loop(conn, stop)
            except Exception as e:  # connection_errors/channel_errors of every transport, and OSError
                self.connected.clear()
                self._pending.clear()   # unacknowledged: the broker hands them out again
                if stop.is_set():
                    break
                wait = next(delays)
                if is_unavailable(e) or _transport_error(e, conn):
                    lost = "the store" if is_unavailable(e) else "the broker"
                    log.warning("%s: lost %s (%s: %s); the unacknowledged events stay on the broker; reconnecting "
                                "in %.1f s", self.env, lost, type(e).__name__, str(e)[:200], wait)
                    self.on_state("error", f"{lost} lost: {str(e)[:200]}")
                else:   # a fault of ours or of what a handler asked: said as such, with where it happened
                    log.warning("%s: handling a batch of events failed (%s: %s); its events stay on the broker and "
                                "come again; reconnecting in %.1f s", self.env, type(e).__name__, str(e)[:200], wait,
                                exc_info=True)
                    self.on_state("error", f"a batch failed: {type(e).__name__}: {str(e)[:200]}")
                stop.wait(wait)
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
        self.processor.handle(batch)
        self.batches += 1
