"""Keeping a long-running service connected to its store through a restart or a failover.

pymongo reconnects by itself once the server answers again; what a service needs on top is to
notice the outage at once, wait for the store with bounded backoff (saying so in one log line, not
one per failed query), bring the embedded store back when it is the one that died (on its port, so
every process's client finds it again), and tell `/health`. Every loop asks `keeper.up` (or waits
with `wait_until_up`) instead of piling 5 s timeouts on a dead server, so SIGTERM stays prompt.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Callable, TypeVar

import pymongo
from pymongo.errors import PyMongoError

from app.errors import CalipsoError, StoreError
from app.store.store import Store, redact_uri

log = logging.getLogger("calipso.store")

T = TypeVar("T")

#: exceptions that mean "the store is away", as opposed to a bad query
UNAVAILABLE = (pymongo.errors.ConnectionFailure, StoreError)


def is_unavailable(exc: BaseException) -> bool:
    return isinstance(exc, UNAVAILABLE)


def embedded_restarter(store: Store) -> Callable[[], str] | None:
    """For an embedded store, a function that starts it again (on its recorded port) and returns its URI."""
    location = store.location
    if location is None or not location.embedded or not location.home:
        return None

    def restart() -> str:
        from pathlib import Path

        from app.store.embedded import EmbeddedStore, _is_store_process, pid_alive

        embedded = EmbeddedStore(Path(location.home))
        state = embedded.read_state()
        if state and pid_alive(state.pid) and _is_store_process(state.pid):
            return state.uri     # alive, only slow (a loaded machine): never replace a live server
        return embedded.ensure_running(timeout=20.0)
    return restart


class StoreKeeper:
    def __init__(self, store: Store, restart: Callable[[], str] | None = None, probe_timeout: float = 3.0,
                 backoff_start: float = 0.5, backoff_max: float = 5.0, check_every: float = 2.0,
                 clock: Callable[[], float] = time.monotonic):
        self.store = store
        self.restart = restart if restart is not None else embedded_restarter(store)
        self.probe_timeout = probe_timeout
        self.backoff_start, self.backoff_max = backoff_start, backoff_max
        self.check_every = check_every
        self.clock = clock
        self.down_since: float | None = None
        self.reason = ""
        self.outages = 0
        self._lock = threading.Lock()

    @property
    def where(self) -> str:
        return redact_uri(self.store.location.uri) if self.store.location else "the store"

    @property
    def up(self) -> bool:
        return self.down_since is None

    def ping(self) -> bool:
        """Ask the store now (at most `probe_timeout`); records an outage or its end."""
        try:
            with pymongo.timeout(self.probe_timeout):
                self.store.client.admin.command("ping")
        except PyMongoError as e:
            self.mark_down(e)
            return False
        if self.down_since is not None:
            log.warning("store at %s is back after %.1f s", self.where, self.clock() - self.down_since)
            self.down_since = None
        return True

    def mark_down(self, exc: BaseException) -> None:
        """Record that a call failed because the store is away (loops call it with the error they got)."""
        reason = str(exc).split(",")[0].split(" (configured timeouts")[0][:200]
        with self._lock:
            self.reason = f"{type(exc).__name__}: {reason}"
            if self.down_since is None:
                self.down_since = self.clock()
                self.outages += 1

    def _try_restart(self) -> None:
        if self.restart is None:
            return
        try:
            uri = self.restart()
        except Exception as e:  # another process may be restarting it; the next round tries again
            log.info("could not start the embedded store yet: %s", e)
            return
        if self.store.location and uri != self.store.location.uri:
            log.error("the embedded store came back at %s, not %s where this service looks for it (its port "
                      "was taken meanwhile): restart this service", redact_uri(uri), self.where)

    def wait_until_up(self, stop: threading.Event) -> bool:
        """Block until the store answers (True) or `stop` is set (False), retrying with bounded backoff."""
        delay = self.backoff_start
        last_said = None
        while not stop.is_set():
            if self.ping():
                return True
            now = self.clock()
            if last_said is None or now - last_said >= 30:
                log.warning("store at %s is unreachable (%s); waiting for it, retrying every %.1f-%.0f s%s",
                            self.where, self.reason, self.backoff_start, self.backoff_max,
                            "; starting it again" if self.restart else "")
                last_said = now
            self._try_restart()
            if self.ping():
                return True
            stop.wait(delay)
            delay = min(delay * 2, self.backoff_max)
        return False

    def watch(self, stop: threading.Event) -> None:
        """Probe every `check_every` s; on an outage, wait (and restart) until the store is back."""
        while not stop.is_set():
            if not self.ping():
                self.wait_until_up(stop)
            stop.wait(self.check_every)

    def start(self) -> Callable[[], None]:
        """Watch in a daemon thread (for services whose main thread serves requests); returns its stop."""
        stop = threading.Event()
        threading.Thread(target=self.watch, args=(stop,), name="store-keeper", daemon=True).start()
        return stop.set

    def status(self) -> dict:
        if self.down_since is None:
            return {"state": "ok"}
        return {"state": "unreachable", "for_seconds": round(self.clock() - self.down_since, 1),
                "reason": self.reason, "action": "reconnecting with backoff"
                + ("; starting the embedded store again" if self.restart else "")}


def ride_out(call: Callable[[], T], store: Store, during: str, again: str, wait: float, attempts: int = 3,
             keeper: StoreKeeper | None = None, after: str = "") -> T:
    """`call()`, made again after each store outage (up to `attempts` times, each waiting up to `wait` s and
    bringing an embedded store back): for work that is the same when done twice (a scan's write by `_id`,
    idempotent start-up). `during` and `again` name the work in the log and the error; `after` ends the error."""
    for attempt in range(1, attempts + 1):
        try:
            return call()
        except Exception as e:
            if not is_unavailable(e):
                raise
            reason = f"{type(e).__name__}: {str(e).split(',')[0].split(' (configured timeouts')[0][:200]}"
            if attempt == attempts:
                raise CalipsoError(f"the store went away {attempts} times during {during} (last: {reason}){after}") \
                    from None
            log.warning("the store went away during %s (%s); waiting up to %.0f s for it, then %s",
                        during, reason, wait, again)
            keeper = keeper or StoreKeeper(store)
            keeper.mark_down(e)
            stop = threading.Event()
            timer = threading.Timer(wait, stop.set)
            timer.start()
            try:
                back = keeper.wait_until_up(stop)
            finally:
                timer.cancel()
            if not back:
                raise CalipsoError(f"the store went away during {during} ({reason}) and did not come back "
                                   f"within {wait:.0f} s{after}") from None
    raise AssertionError("unreachable")
