"""The `amqp` protocol server: publishes every model change as an oslo.messaging notification.

Nova events go to the `nova` exchange, Neutron events to `neutron` (topic, non-durable, as the
listener declares them), routing key `notifications.info`, JSON content. Default transport: a kombu
`filesystem:///<state dir>/amqp` bus (crosses processes, no broker); `--amqp-url` for RabbitMQ.
Publishing happens on a background thread so API calls never wait for the broker.
"""

from __future__ import annotations

import logging
import queue
import threading
from urllib.parse import urlsplit

from kombu import Exchange

from app.bus import connection
from simulator.notifications import envelope, notification

log = logging.getLogger(__name__)

ROUTING_KEY = "notifications.info"


class NotificationPublisher:
    def __init__(self, model, options):
        self.model, self.options = model, options
        self.url = options.amqp_url or f"filesystem://{(options.state_dir / 'amqp').resolve()}"
        self.exchanges = {name: Exchange(name, type="topic", durable=False) for name in ("nova", "neutron")}
        self._queue: queue.Queue = queue.Queue()
        self._thread: threading.Thread | None = None
        self._unsubscribe = None
        self._conn = None
        self.published = 0
        self._idle = threading.Condition()

    def start(self) -> None:
        self._conn = connection(self.url)
        # a broker started beside us (a compose stack) may answer a little later: wait for it, saying so
        self._conn.ensure_connection(max_retries=30, interval_start=0.5, interval_step=1, interval_max=3,
                                     errback=lambda exc, interval: log.warning(
                                         "broker not answering (%s); retrying in %.1f s", exc, interval))
        producer = self._conn.Producer()
        for exchange in self.exchanges.values():
            exchange(producer.channel).declare()
        self._producer = producer
        self._thread = threading.Thread(target=self._run, name="amqp-publisher", daemon=True)
        self._thread.start()
        self._unsubscribe = self.model.subscribe(self._on_event)

    def _on_event(self, event) -> None:
        # format now, while the event's snapshot and the model agree; publish on the worker thread
        if self.options.conditions.has("amqp", "down"):
            return
        self._queue.put((event.service, notification(self.model, event)))

    def _run(self) -> None:
        while True:
            item = self._queue.get()
            if item is None:
                break
            service, body = item
            self.options.conditions.wait("amqp", "amqp")
            try:
                self._producer.publish(envelope(body), exchange=self.exchanges[service], routing_key=ROUTING_KEY,
                                       serializer="json", delivery_mode=2, retry=True, retry_policy={"max_retries": 3})
                self.published += 1
            except Exception:
                log.exception("could not publish %s", body.get("event_type"))
            finally:
                self._queue.task_done()

    def flush(self, timeout: float = 10.0) -> None:
        """Wait until every queued notification is published (tests, clean shutdown)."""
        done = threading.Event()
        threading.Thread(target=lambda: (self._queue.join(), done.set()), daemon=True).start()
        done.wait(timeout)

    def stop(self) -> None:
        if self._unsubscribe:
            self._unsubscribe()
        if self._thread:
            self.flush(5)
            self._queue.put(None)
            self._thread.join(timeout=5)
        if self._conn is not None:
            self._conn.release()

    def config_section(self) -> dict:
        if self.url.startswith("filesystem://"):
            return {"name": "AMQP", "url": self.url}
        parts = urlsplit(self.url)
        vhost = parts.path[1:] if parts.path not in ("", "/") else "/"
        return {"name": "AMQP", "host": parts.hostname or "127.0.0.1", "port": parts.port or 5672,
                "user": parts.username or "guest", "pwd": parts.password or "guest", "vhost": vhost or "/"}
