"""The scan work queue on the deployment's RabbitMQ: one durable queue every scan worker consumes.

Work messages are persistent and acked by a worker only after its result is stored, so a worker
that dies (its connection closes) or is cut off (missed heartbeats) has its message handed to
another. How many workers there are is RabbitMQ's own count of the queue's consumers: nothing
else keeps a list of members.
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass

from kombu import Connection, Queue

from app.errors import CalipsoError

log = logging.getLogger(__name__)

DEFAULT_URL = "amqp://guest:guest@127.0.0.1:5672//"
DEFAULT_QUEUE = "calipso-scan-work"
HEARTBEAT = 30        # seconds; a worker cut off for about twice this has its message redelivered


class BrokerUnreachable(CalipsoError):
    exit_code = 1


def broker_url(environ: dict | None = None) -> str:
    """The broker of scan work: $CALIPSO_BROKER_URL, else a RabbitMQ on this machine."""
    return (os.environ if environ is None else environ).get("CALIPSO_BROKER_URL") or DEFAULT_URL


def work_queue_name(environ: dict | None = None) -> str:
    return (os.environ if environ is None else environ).get("CALIPSO_WORK_QUEUE") or DEFAULT_QUEUE


def redact(url: str) -> str:
    return re.sub(r"(amqps?://[^:/@]*):[^@/]*@", r"\1:****@", url)


@dataclass(frozen=True)
class WorkQueue:
    """Where scan work goes: a broker URL and a queue name (tests use their own names)."""

    url: str = DEFAULT_URL
    name: str = DEFAULT_QUEUE
    connect_timeout: float = 5.0

    @property
    def where(self) -> str:
        return f"queue {self.name} on {redact(self.url)}"

    def queue(self) -> Queue:
        return Queue(self.name, durable=True, auto_delete=False, routing_key=self.name)

    def connect(self, heartbeat: float = 0) -> Connection:
        return Connection(self.url, connect_timeout=self.connect_timeout, heartbeat=heartbeat,
                          transport_options={"confirm_publish": True})


class WorkClient:
    """The coordinator's side: publish work, count the workers; one connection, opened again after a cut."""

    def __init__(self, queue: WorkQueue):
        self.q = queue
        self._conn: Connection | None = None

    def _channel(self):
        if self._conn is None:
            conn = self.q.connect()
            try:
                conn.ensure_connection(max_retries=1, timeout=self.q.connect_timeout)
            except Exception as e:
                conn.release()
                raise BrokerUnreachable(f"cannot reach the broker ({self.q.where}): {type(e).__name__}: "
                                        f"{str(e)[:200]}") from None
            self._conn = conn
        return self._conn.default_channel

    def _drop(self) -> None:
        if self._conn is not None:
            try:
                self._conn.release()
            except Exception:
                pass
            self._conn = None

    def consumers(self) -> int:
        """Workers consuming the queue now (declares it, durable, if it is not there yet)."""
        try:
            ok = self.q.queue()(self._channel()).queue_declare()
            return int(ok.consumer_count)
        except BrokerUnreachable:
            raise
        except Exception as e:   # every transport raises its own kinds
            self._drop()
            raise BrokerUnreachable(f"lost the broker ({self.q.where}): {type(e).__name__}: {str(e)[:200]}") from None

    def publish(self, bodies: list[dict], expires: float, wait: float) -> None:
        """Publish every body (persistent, confirmed), retrying through a broker outage for up to `wait` s."""
        deadline = time.monotonic() + wait
        sent = 0
        while sent < len(bodies):
            try:
                producer = self._producer()
                while sent < len(bodies):
                    producer.publish(bodies[sent], exchange="", routing_key=self.q.name, serializer="json",
                                     delivery_mode=2, expiration=expires, declare=[self.q.queue()])
                    sent += 1
            except Exception as e:
                self._drop()
                if time.monotonic() > deadline:
                    raise BrokerUnreachable(f"could not hand the scan's work to {self.q.where} within {wait:.0f} s: "
                                            f"{type(e).__name__}: {str(e)[:200]}") from None
                log.warning("publishing scan work: %s; retrying", type(e).__name__)
                time.sleep(1.0)

    def _producer(self):
        self._channel()
        return self._conn.Producer()

    def close(self) -> None:
        self._drop()
