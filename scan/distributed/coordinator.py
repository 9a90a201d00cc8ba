"""The asking scan's side of a distributed scan: find the workers, split the hosts, wait, merge.

Failures end the scan before its write phase, so a failed distributed scan writes nothing, as a
failed local one: no worker consuming the queue (at the start, or for `no_worker_grace` seconds
while parts are still to do), the broker unreachable for `broker_wait` seconds, no part done for
`stall_timeout` seconds, the store away for longer than `store_wait` seconds.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field

from app.keyenc import decode
from app.store.keeper import StoreKeeper, is_unavailable
from app.store.store import Store
from scan.access.calls import CallStats
from scan.distributed.broker import BrokerUnreachable, WorkClient, WorkQueue, broker_url, work_queue_name
from scan.distributed.chunk import Work
from scan.distributed.workspace import Workspace, sweep
from scan.engine import Engine, Task
from scan.partial import ScanFailed

log = logging.getLogger("scan.distributed")


@dataclass(frozen=True)
class Distribution:
    """How a distributed scan uses its workers (the knobs of `calipso scan --distributed`)."""

    queue: WorkQueue = field(default_factory=lambda: WorkQueue(broker_url(), work_queue_name()))
    parts_per_worker: int = 2       # as many as a worker does at once (scan-worker --parts); a dead worker's
                                    # part is redone whole: smaller parts, less to redo
    max_part_hosts: int = 200
    stall_timeout: float = 900.0
    no_worker_grace: float = 30.0
    broker_wait: float = 60.0
    store_wait: float = 120.0
    message_ttl: float = 6 * 3600.0
    poll: float = 0.25


def split(hosts: list, parts: int) -> list[list]:
    """Hosts in `parts` slices of near-equal size, in order (SuzieQ's sequential chunker)."""
    parts = max(1, min(parts, len(hosts)))
    size, extra = divmod(len(hosts), parts)
    out, start = [], 0
    for i in range(parts):
        end = start + size + (1 if i < extra else 0)
        out.append(hosts[start:end])
        start = end
    return [p for p in out if p]


def part_count(hosts: int, slots: int, max_part_hosts: int) -> int:
    """Parts of at most `max_part_hosts` hosts, in whole rounds of the workers' `slots` (workers x parts each):
    with 6 parts over 2 workers doing 2 at once, one worker did the last 2 while the other stood idle
    (1,000 hosts: 13 s of the scan's 55)."""
    slots = max(1, slots)
    rounds = math.ceil(math.ceil(hosts / max(1, max_part_hosts)) / slots)
    return max(1, rounds) * slots


class Coordinator:
    def __init__(self, store: Store, settings: Distribution, scan_id: str, options, stats: CallStats, progress=None,
                 client: WorkClient | None = None):
        self.store, self.s, self.sid, self.o, self.stats = store, settings, scan_id, options, stats
        self.progress = progress
        self.client = client or WorkClient(settings.queue)
        self.ws = Workspace(store, scan_id)
        self.parts: dict[int, list[str]] = {}
        self.report: dict = {}
        self.ssh_connections = 0

    # -- before anything is fetched -------------------------------------------------------------
    def check(self) -> int:
        """The number of workers; no worker (or no broker) fails the scan at once."""
        try:
            sweep(self.store)
        except Exception as e:   # leftovers are only clutter
            log.debug("could not sweep leftover work collections: %s", e)
        try:
            n = self.client.consumers()
        except BrokerUnreachable as e:
            raise ScanFailed(f"a distributed scan needs the broker: {e}") from None
        if n == 0:
            raise ScanFailed(f"no scan worker is running ({self.s.queue.where}): start one or more with "
                             "'calipso scan-worker', or scan without --distributed")
        self.report["workers"] = n
        return n

    # -- during the walk ------------------------------------------------------------------------
    def divert(self, level: list[Task], engine: Engine) -> list[Task]:
        """The level without its host tasks, which go to the workers (the first time hosts appear)."""
        hosts = [t for t in level if t.parent.get("type") == "host" and t.only_id is None]
        if not hosts or self.parts:
            return level
        try:
            self._dispatch(hosts, engine)
        except Exception as e:
            if not is_unavailable(e):
                raise
            raise ScanFailed(f"the store did not take the scan's work ({type(e).__name__}: {str(e)[:200]}); "
                             "nothing was written") from None
        return [t for t in level if not (t.parent.get("type") == "host" and t.only_id is None)]

    def _dispatch(self, tasks: list[Task], engine: Engine) -> None:
        by_host: dict[str, list[str]] = {}
        for t in tasks:
            by_host.setdefault(t.parent["id"], []).append(t.scanner)
        workers = self.report.get("workers") or 1
        n = part_count(len(by_host), workers * self.s.parts_per_worker, self.s.max_part_hosts)
        base = list(engine.ctx.found.by_key.values())
        self.ws.put_base(base, {"environment": self.o.env, "scan": self.sid})
        bodies = []
        for i, hosts in enumerate(split(sorted(by_host), n)):
            self.parts[i] = hosts
            work = Work(scan=self.sid, env=self.o.env, chunk=i, tasks=tuple((s, h) for h in hosts for s in by_host[h]),
                        inventory=self.o.inventory, max_calls=self.o.max_calls, per_host=self.o.per_host,
                        serial=self.o.serial)
            bodies.append(work.body())
        self.client.publish(bodies, expires=self.s.message_ttl, wait=self.s.broker_wait)
        self.report.update(parts=len(bodies), hosts=len(by_host), base_objects=len(base))
        log.info("scan %s: %d hosts in %d parts handed to %d worker(s)", self.sid, len(by_host), len(bodies), workers)

    def hosts_out(self) -> set[str]:
        """The hosts handed to the workers (not done here, whatever the walk says)."""
        return {h for hosts in self.parts.values() for h in hosts}

    # -- after the walk -------------------------------------------------------------------------
    def gather(self, engine: Engine) -> None:
        """Wait for every part, merging each into the engine's picture as it comes."""
        if not self.parts:
            return
        started = time.monotonic()
        merged: dict[int, str] = {}
        last_progress = started
        no_worker_since = broker_down_since = store_down_since = None
        next_check = 0.0
        total_hosts = sum(len(h) for h in self.parts.values())
        while len(merged) < len(self.parts):
            now = time.monotonic()
            try:
                markers = self.ws.done()
                for chunk in sorted(set(markers) - set(merged)):
                    self._merge(engine, self.ws.result(markers[chunk]))
                    merged[chunk] = markers[chunk].get("worker", "?")
                    last_progress = time.monotonic()
                    if self.progress is not None:
                        self.progress.hosts(sum(len(self.parts[c]) for c in merged), total_hosts)
                store_down_since = None
            except Exception as e:
                if not is_unavailable(e):
                    raise
                store_down_since = store_down_since or now
                if now - store_down_since > self.s.store_wait:
                    raise ScanFailed(f"the store has not answered for {self.s.store_wait:.0f} s while the scan's "
                                     f"parts were being gathered ({type(e).__name__}); nothing was written") from None
                self._wait_for_store()
                continue
            if len(merged) == len(self.parts):
                break
            if now >= next_check:
                next_check = now + 2.0
                try:
                    workers = self.client.consumers()
                    broker_down_since = None
                    no_worker_since = None if workers else (no_worker_since or now)
                except BrokerUnreachable as e:
                    broker_down_since = broker_down_since or now
                    if now - broker_down_since > self.s.broker_wait:
                        raise ScanFailed(f"{e}; {len(self.parts) - len(merged)} of {len(self.parts)} parts of the "
                                         "scan were not done, nothing was written") from None
                if no_worker_since is not None and now - no_worker_since > self.s.no_worker_grace:
                    raise ScanFailed(f"no scan worker has been running for {self.s.no_worker_grace:.0f} s "
                                     f"({self.s.queue.where}): {len(self.parts) - len(merged)} of {len(self.parts)} "
                                     "parts of the scan were not done, nothing was written")
            if now - last_progress > self.s.stall_timeout:
                raise ScanFailed(f"no part of the scan was done for {self.s.stall_timeout:.0f} s: "
                                 f"{len(self.parts) - len(merged)} of {len(self.parts)} parts missing, nothing was written")
            time.sleep(self.s.poll)
        by_worker: dict[str, int] = {}
        for w in merged.values():
            by_worker[w] = by_worker.get(w, 0) + 1
        self.report.update(parts_by_worker=dict(sorted(by_worker.items())),
                           waited=round(time.monotonic() - started, 3))

    def _wait_for_store(self) -> None:
        keeper = StoreKeeper(self.store)
        stop = threading.Event()
        timer = threading.Timer(5.0, stop.set)
        timer.start()
        try:
            keeper.wait_until_up(stop)
        finally:
            timer.cancel()

    def _merge(self, engine: Engine, payload: dict) -> None:
        ctx = engine.ctx
        engine.adopt(payload["docs"])
        for p in payload.get("patches") or []:
            doc = ctx.found.get(p["id"], p["type"])
            if doc is None:
                continue
            fields = decode(p["fields"])
            for name, value in fields.items():   # a list two parts appended to holds both parts' items
                old = doc.get(name)
                if isinstance(old, list) and isinstance(value, list):
                    fields[name] = old + [v for v in value if v not in old]
            ctx.found.update(doc, fields)
        for host, msgs in (payload.get("errors") or {}).items():
            for m in msgs:
                ctx.errors.add(host if host != "(cloud)" else "", m)
        engine.failed_paths.extend(payload.get("failed_paths") or [])
        self.stats.merge(payload.get("calls") or {})
        self.ssh_connections += int(payload.get("ssh_connections") or 0)

    def close(self) -> None:
        """Drop the scan's temporary collection (whatever the outcome) and the broker connection."""
        try:
            if self.parts:
                self.ws.drop()
        except Exception as e:
            log.warning("could not drop %s (the next distributed scan will): %s", self.ws.name, e)
        self.client.close()
