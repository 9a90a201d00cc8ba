"""From delivered bodies to store writes, independent of the broker (so it is tested without one).

For a batch of deliveries: decode each, drop what is bad (recorded in `failed_events`), already
applied (a redelivery) or out of date; plan the rest with the event table; apply all plans at
once, retrying a bounded number of times with backoff; if the batch still fails, apply event by
event so one poison event cannot hold the others back. Each handled event leaves one message in
`messages`, and only then is it acknowledged: after the store write.
"""

from __future__ import annotations

import dataclasses
import logging
import time
from dataclasses import dataclass, field
from typing import Callable

from pymongo.errors import DuplicateKeyError

from app.clock import Clock, utcnow
from app.keyenc import encode
from app.messages import Messages
from app.store.keys import stable_id
from app.store.keeper import is_unavailable
from app.store.store import Store
from listen.apply import Applier
from listen.converge import ConvergePolicy, Lag, lingering, unplumbed, unreachable
from listen.envelope import BadMessage, Notification, parse, scrub
from listen.floating import lags as floating_lags
from listen.handlers.base import Handler
from listen.ledger import Ledger, body_id
from listen.plan import NAMESPACE_SCOPES, Plan

log = logging.getLogger(__name__)

#: event families OpenStack sends on the same exchanges that the table does not handle on purpose
#: (the `.start` halves, aggregates, scheduler, ...): acknowledged quietly, not failures
OPENSTACK_FAMILIES = ("compute.", "network.", "subnet.", "port.", "router.", "servergroup.", "aggregate.",
                      "scheduler.", "floatingip.", "security_group", "keypair.", "flavor.", "volume.", "image.",
                      "identity.", "dns.", "trunk.", "qos.", "metering.", "instance.", "service.", "compute_task.",
                      "libvirt.", "compute.metrics.")


@dataclass
class Delivery:
    body: bytes | str
    ack: Callable[[], None]
    received: float = field(default_factory=time.time)


@dataclass
class RetryPolicy:
    attempts: int = 3            # tries of one batch before it is split into single events
    backoff: float = 0.2         # first pause, doubled each time
    backoff_max: float = 2.0
    max_deliveries: int = 5      # deliveries of one message (across restarts) before it is given up


@dataclass
class Outcome:
    applied: int = 0
    skipped: int = 0
    failed: int = 0
    latencies: list[float] = field(default_factory=list)


class Processor:
    def __init__(self, store: Store, env: str, table: dict[str, Handler], applier: Applier,
                 retry: RetryPolicy | None = None, clock: Clock = utcnow, sleep: Callable[[float], None] = time.sleep,
                 converge: ConvergePolicy | None = None):
        self.store = store
        self.env = env
        self.table = table
        self.applier = applier
        self.retry = retry or RetryPolicy()
        self.converge = converge or ConvergePolicy()
        self.ledger = Ledger(store, env, clock)
        self.messages = Messages(store, clock)
        self.clock = clock
        self.sleep = sleep

    # -- one batch ------------------------------------------------------------------------------
    def handle(self, deliveries: list[Delivery]) -> Outcome:
        out = Outcome()
        for d in deliveries:    # the context's credentials go before anything is parsed, logged or stored
            d.body = scrub(d.body)
        todo: list[tuple[Delivery, Notification, Plan, str]] = []
        newest: dict[tuple[str, str], object] = {}   # within the batch too, an older event changes nothing
        for d in deliveries:
            item = self._prepare(d, out)
            if item is None:
                continue
            _, n, plan, _ = item
            key, when = (plan.object_type, plan.object_id), n.when
            if when is not None and not plan.skip:
                if key in newest and newest[key] > when:
                    plan.skip = f"older than an event for {plan.object_type} {plan.object_id} in the same batch"
                else:
                    newest[key] = when
            todo.append(item)
        if todo:
            if self._apply_with_retries([p for _, _, p, _ in todo]):
                self._converge([p for _, _, p, _ in todo])
                for d, n, p, mid in todo:
                    self._finish(d, n, p, mid, out)
            else:
                for d, n, p, mid in todo:      # isolate the event that fails
                    if self._apply_with_retries([p], attempts=1):
                        self._finish(d, n, p, mid, out)
                    else:
                        reason = f"could not be applied after {self.retry.attempts + 1} attempts: {self._last_error}"
                        self._give_up(d, n, mid, reason, out)
        return out

    def _prepare(self, d: Delivery, out: Outcome):
        try:
            n = parse(d.body)
        except BadMessage as e:
            self._bad(d, e.reason, "", None, out)
            return None
        mid = n.message_id or body_id(d.body if isinstance(d.body, (bytes, str)) else str(d.body))
        handler = self.table.get(n.event_type)
        if handler is None:
            if n.event_type.startswith(OPENSTACK_FAMILIES):
                log.debug("%s: %s not handled, acknowledged", self.env, n.event_type)
                out.skipped += 1
                d.ack()
            else:
                self._bad(d, f"unknown event type {n.event_type!r}", mid, n.event_type, out)
            return None
        attempts, applied = self.ledger.attempt(mid, n.event_type)
        if applied:
            log.info("%s: %s %s was already applied (redelivery), acknowledged", self.env, n.event_type, mid)
            out.skipped += 1
            d.ack()
            return None
        if attempts > self.retry.max_deliveries:
            self._give_up(d, n, mid, f"delivered {attempts - 1} times without being applied", out)
            return None
        try:
            plan = handler.plan(n)
        except BadMessage as e:
            self._bad(d, e.reason, mid, n.event_type, out)
            return None
        newer = self.ledger.newer_seen(plan.object_type, plan.object_id, n.when)
        if newer:
            plan.skip = f"older than the last event applied to {plan.object_type} {plan.object_id} ({newer})"
        return d, n, plan, mid

    _last_error = ""
    _last_applied = None

    def _apply_with_retries(self, plans: list[Plan], attempts: int | None = None) -> bool:
        attempts = self.retry.attempts if attempts is None else attempts
        pause = self.retry.backoff
        for i in range(attempts):
            try:
                self._last_applied = self.applier.apply(plans)
                return True
            except Exception as e:
                if is_unavailable(e):
                    raise       # not this event's fault: it stays unacknowledged and comes back
                self._last_error = f"{type(e).__name__}: {e}"
                log.warning("%s: applying %d event(s) failed (attempt %d of %d): %s", self.env, len(plans), i + 1,
                            attempts, self._last_error)
                if i + 1 < attempts:
                    self.sleep(pause)
                    pause = min(pause * 2, self.retry.backoff_max)
        return False

    def _converge(self, plans: list[Plan]) -> None:
        """Rescan the scope again while the host lags behind the API (agents still plumbing), bounded."""
        missing = self._behind(plans)
        waited, started, rescans = 0.0, time.monotonic(), 0
        for i, delay in enumerate(self.converge.delays):
            if not missing:
                return
            down = unreachable(getattr(self._last_applied, "errors", None) or {})
            if down:   # a host that cannot be reached is not a host still plumbing: waiting will not help
                log.warning("%s: hosts not shown as the API says, and not reachable (%s): left for the next scan",
                            self.env, ", ".join(down))
                return
            self.sleep(delay)
            waited += delay
            rescans += 1
            again = [dataclasses.replace(p, hosts_once_up=False) for p in plans]
            last = i == len(self.converge.delays) - 1
            if not last and not any(lag.on_host for lag in missing):   # only the API can tell: its region only
                again = [dataclasses.replace(p, host_scopes=()) for p in again]
            elif all(lag.in_namespace for lag in missing):   # only namespaces lag: the instances need no rescan
                again = [dataclasses.replace(p, host_scopes=NAMESPACE_SCOPES) for p in again]
            if not last and all(lag.api_final for lag in missing) and all(p.action.endswith(" add") for p in plans):
                # something was added and the store holds the API's last word on it (ports ACTIVE), only hosts
                # lag: the region's networks and ports are not asked again (on a loaded test bed each asking
                # cost 1-2 s). Not after a delete or an update: a port ACTIVE in the store may be gone by now
                # (a subnet's and its network's deletes together: 28 s waiting for the last full look)
                again = [dataclasses.replace(p, region=False) for p in again]
            if not self._apply_with_retries(again, attempts=1):
                return
            missing = self._behind(plans)
            if not missing:
                log.info("%s: the hosts caught up after %.1f s (%d more rescan(s), %.1f s of waiting)", self.env,
                         time.monotonic() - started, rescans, waited)
        if missing:
            log.warning("%s: after %.1f s the hosts are still behind the API (%s); left for the next scan", self.env,
                        waited, "; ".join(map(str, missing[:5]))
                        + (f" and {len(missing) - 5} more" if len(missing) > 5 else ""))

    def _behind(self, plans: list[Plan]) -> list[Lag]:
        """What the hosts do not show yet of what the API says (added or bound) or still show (deleted)."""
        return (unplumbed(self.store, self.env, plans) + lingering(self.store, self.env, plans)
                + floating_lags(self.store, self.env, plans))

    # -- endings --------------------------------------------------------------------------------
    def _finish(self, d: Delivery, n: Notification, p: Plan, mid: str, out: Outcome) -> None:
        if p.skip:
            text = f"{n.event_type}: {p.action} {p.object_id}: nothing to change ({p.skip})"
            out.skipped += 1
        else:
            text = f"{n.event_type}: {p.action} {p.object_id}"
            self.ledger.mark(p.object_type, p.object_id, n.timestamp, mid)
            out.applied += 1
        self._message(n, mid, text, p, d)
        self.ledger.done(mid, "skipped" if p.skip else "applied")
        d.ack()
        out.latencies.append(time.time() - d.received)
        log.info("%s: %s (%.1f s after receipt)", self.env, text, time.time() - d.received)

    def _message(self, n: Notification, mid: str, text: str, p: Plan | None, d: Delivery, level: str | None = None):
        try:
            self.messages.add(
                text, level=level or n.level, environment=self.env,
                source_system="OpenStack", related_object=p.object_id if p else None,
                related_object_type=p.object_type if p else None, display_context=p.object_id if p else None,
                timestamp=n.when or self.clock(), msg_id=mid,
                received_timestamp=_dt(d.received), finished_timestamp=self.clock(),
                origin_type="event based scan", event_type=n.event_type, notification=encode(n.raw),
                _id=stable_id("messages", self.env, mid),   # one message per event, even when redelivered
            )
        except DuplicateKeyError:
            pass

    def _bad(self, d: Delivery, reason: str, mid: str, event_type: str | None, out: Outcome) -> None:
        log.warning("%s: message rejected: %s", self.env, reason)
        self.ledger.fail(reason, d.body if isinstance(d.body, (bytes, str)) else str(d.body), mid, event_type)
        out.failed += 1
        d.ack()

    def _give_up(self, d: Delivery, n: Notification, mid: str, reason: str, out: Outcome) -> None:
        log.error("%s: %s %s given up: %s", self.env, n.event_type, mid, reason)
        self.ledger.fail(reason, d.body if isinstance(d.body, (bytes, str)) else str(d.body), mid, n.event_type,
                         attempts=self.retry.attempts)
        self._message(n, mid, f"{n.event_type}: failed: {reason}", None, d, level="error")
        self.ledger.done(mid, "failed")
        out.failed += 1
        d.ack()


def _dt(ts: float):
    from datetime import datetime, timezone
    return datetime.fromtimestamp(ts, timezone.utc)
