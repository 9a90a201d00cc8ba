"""`calipso scan-worker`'s loop: take up to `parts` messages at a time from the work queue, do them, ack them.

A part is bound by the cloud's latency level after level, not by this process's CPU, so a worker runs a
few at once (`--parts`, 2 by default). Each runs on a thread of its own while this loop keeps the broker
connection alive (heartbeats),
so a long chunk is not mistaken for a dead worker. The ack goes out only after the result is stored;
a message whose work failed for a passing reason (the store away) is given back to the queue. When
the broker connection drops, the work under way is finished and stored, then the loop reconnects:
the broker has handed that message to another worker meanwhile, which finds the result stored and
acks it without scanning again.
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from kombu import Consumer

from app.errors import CalipsoError
from app.store.keeper import is_unavailable
from scan.distributed.broker import HEARTBEAT, WorkQueue
from scan.distributed.chunk import BadWork, Work

log = logging.getLogger("scan.worker")

DoWork = Callable[[Work], str]


@dataclass
class _Job:
    message: object
    work: Work
    outcome: str = ""          # stored | duplicate | gone | requeue | drop
    done: threading.Event = field(default_factory=threading.Event)


class Worker:
    def __init__(self, queue: WorkQueue, do_work: DoWork, name: str, retry_max: float = 5.0, parts: int = 2,
                 idle: Callable[[], None] = lambda: None):
        self.q = queue
        self.idle = idle      # called while no part runs (the worker lets go of finished scans' reads)
        self.do_work = do_work
        self.name = name
        self.retry_max = retry_max
        self.parts = max(1, parts)
        self.connected = threading.Event()
        self.done_count = 0
        self._jobs: list[_Job] = []

    # -- one job --------------------------------------------------------------------------------
    def _run_job(self, job: _Job) -> None:
        w = job.work
        started = time.perf_counter()
        hosts = len({h for _, h in w.tasks})
        log.info("scan %s of %s: part %d (%d host%s) started", w.scan, w.env, w.chunk, hosts, "" if hosts == 1 else "s")
        try:
            job.outcome = self.do_work(w)
            log.info("scan %s: part %d %s in %.1f s", w.scan, w.chunk, job.outcome, time.perf_counter() - started)
        except BadWork as e:
            log.error("dropped a work message: %s", e)
            job.outcome = "drop"
        except Exception as e:
            if is_unavailable(e):
                log.warning("scan %s: part %d given back: the store is away (%s)", w.scan, w.chunk, type(e).__name__)
                job.outcome = "requeue"
                time.sleep(1.0)   # do not spin on a message while the store is away
            elif isinstance(e, CalipsoError):
                log.error("scan %s: part %d failed: %s", w.scan, w.chunk, e)
                job.outcome = "requeue"
                time.sleep(1.0)
            else:
                log.exception("scan %s: part %d failed", w.scan, w.chunk)
                job.outcome = "requeue"
                time.sleep(1.0)
        finally:
            job.done.set()

    def _on_message(self, body, message) -> None:
        try:
            work = Work.parse(body)
        except BadWork as e:
            log.error("dropped a work message: %s", e)
            message.ack()
            return
        if len(self._jobs) >= self.parts:     # the prefetch bounds this; if not, another worker takes it
            message.requeue()
            return
        job = _Job(message, work)
        self._jobs.append(job)
        threading.Thread(target=self._run_job, args=(job,), name=f"part-{work.chunk}", daemon=True).start()

    def _settle(self) -> None:
        """Ack (or give back) the finished jobs, on this thread: the channel is not shared with the jobs'."""
        for job in [j for j in self._jobs if j.done.is_set()]:
            self._jobs.remove(job)
            if job.outcome == "requeue":
                job.message.requeue()
            else:
                job.message.ack()
                self.done_count += job.outcome == "stored"

    # -- the loop -------------------------------------------------------------------------------
    def run(self, stop: threading.Event) -> None:
        delay, down_since = 0.5, None
        while not stop.is_set():
            try:
                with self.q.connect(heartbeat=HEARTBEAT) as conn:
                    conn.ensure_connection(max_retries=1, timeout=self.q.connect_timeout)
                    channel = conn.channel()
                    channel.basic_qos(prefetch_size=0, prefetch_count=self.parts, a_global=False)
                    with Consumer(channel, [self.q.queue()], callbacks=[self._on_message], accept=["json"]):
                        if down_since is not None:
                            log.warning("broker back after %.0f s", time.monotonic() - down_since)
                        log.info("scan worker %s consuming %s", self.name, self.q.where)
                        self.connected.set()
                        delay, down_since = 0.5, None
                        self._consume(conn, stop)
            except Exception as e:    # the broker went away (each transport has its own errors)
                self.connected.clear()
                if stop.is_set():
                    break
                if down_since is None:
                    down_since = time.monotonic()
                    log.warning("lost the broker (%s: %s); reconnecting", type(e).__name__, str(e)[:200])
                self._finish_orphan(stop)
                stop.wait(delay)
                delay = min(delay * 2, self.retry_max)
        self.connected.clear()
        log.info("scan worker %s stopped (%d parts done)", self.name, self.done_count)

    def _consume(self, conn, stop: threading.Event) -> None:
        while not stop.is_set():
            self._settle()
            if not self._jobs:
                self.idle()
            try:
                conn.drain_events(timeout=0.1 if self._jobs else 0.5)   # a finished part is acked promptly
            except socket.timeout:
                conn.heartbeat_check()

    def _finish_orphan(self, stop: threading.Event) -> None:
        """The connection died under jobs: let them finish and store their results (the broker has
        already given their messages to someone else, who will find the results and ack them)."""
        jobs, self._jobs = self._jobs, []
        for job in jobs:
            while not job.done.wait(1.0):
                if stop.is_set():
                    return
