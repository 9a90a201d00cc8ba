"""Every remote call goes through here: concurrency limits, timeouts, bounded retries, accounting.

One place sets the policy for all four sources (REST, MySQL, SSH, ACI), so a failure always
names the source, the host and the call, and the scan report can say what the scan cost.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Callable, Iterator, TypeVar

from tenacity import Retrying, retry_if_exception, stop_after_attempt, wait_exponential

T = TypeVar("T")
SOURCES = ("REST", "MySQL", "SSH", "ACI")


class RemoteError(Exception):
    """A remote call failed for good (after the retries its kind allows)."""

    def __init__(self, source: str, host: str, call: str, reason: str, transient: bool = False):
        self.source, self.host, self.call, self.reason, self.transient = source, host, call, reason, transient
        super().__init__(f"{source} {host}: {call}: {reason}")


class AuthError(RemoteError):
    """Credentials refused: never retried, and fatal for the whole scan when it is the entry point."""


@dataclass(frozen=True)
class Policy:
    """Timeout and retry knobs of one source."""

    timeout: float = 15.0
    attempts: int = 3
    wait_min: float = 0.2
    wait_max: float = 2.0


DEFAULT_POLICIES: dict[str, Policy] = {
    "REST": Policy(timeout=15.0, attempts=3),
    "MySQL": Policy(timeout=10.0, attempts=2),
    "SSH": Policy(timeout=15.0, attempts=2),
    "ACI": Policy(timeout=10.0, attempts=3),
}


@dataclass
class SourceStats:
    calls: int = 0
    failures: int = 0
    retries: int = 0
    seconds: float = 0.0


@dataclass
class CallStats:
    """Remote calls and time by source, thread-safe; read by the scan report."""

    by_source: dict[str, SourceStats] = field(default_factory=lambda: defaultdict(SourceStats))
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record(self, source: str, seconds: float, ok: bool, retries: int) -> None:
        with self._lock:
            s = self.by_source[source]
            s.calls += 1
            s.seconds += seconds
            s.retries += retries
            if not ok:
                s.failures += 1

    def merge(self, other: dict) -> None:
        """Add another process's figures (`as_dict` form): a scan worker's, to the scan's report."""
        with self._lock:
            for src, v in other.items():
                s = self.by_source[src]
                s.calls += int(v.get("calls", 0))
                s.failures += int(v.get("failures", 0))
                s.retries += int(v.get("retries", 0))
                s.seconds += float(v.get("seconds", 0.0))

    def total_calls(self) -> int:
        with self._lock:
            return sum(s.calls for s in self.by_source.values())

    def as_dict(self) -> dict:
        with self._lock:
            return {src: {"calls": s.calls, "failures": s.failures, "retries": s.retries,
                          "seconds": round(s.seconds, 3)} for src, s in sorted(self.by_source.items())}


class Limiter:
    """At most `total` remote calls at once, and at most `per_host` on any one host."""

    def __init__(self, total: int = 32, per_host: int = 4):
        if total < 1 or per_host < 1:
            raise ValueError("concurrency limits must be at least 1")
        self.total, self.per_host = total, per_host
        self._all = threading.BoundedSemaphore(total)
        self._hosts: dict[str, threading.BoundedSemaphore] = {}
        self._lock = threading.Lock()

    def _host(self, host: str) -> threading.BoundedSemaphore:
        with self._lock:
            sem = self._hosts.get(host)
            if sem is None:
                sem = self._hosts[host] = threading.BoundedSemaphore(self.per_host)
            return sem

    @contextmanager
    def slot(self, host: str) -> Iterator[None]:
        sem = self._host(host)
        with sem:
            with self._all:
                yield


def _transient(e: BaseException) -> bool:
    return isinstance(e, RemoteError) and e.transient


class Caller:
    """Runs one remote call under the limits and the source's retry policy, and counts it."""

    def __init__(self, limiter: Limiter | None = None, stats: CallStats | None = None,
                 policies: dict[str, Policy] | None = None, sleep: Callable[[float], None] = time.sleep):
        self.limiter = limiter or Limiter()
        self.stats = stats or CallStats()
        self.policies = {**DEFAULT_POLICIES, **(policies or {})}
        self._sleep = sleep

    def policy(self, source: str) -> Policy:
        return self.policies[source]

    def __call__(self, source: str, host: str, call: str, fn: Callable[[], T]) -> T:
        """`fn` raises RemoteError(transient=True) for what is worth retrying."""
        p = self.policies[source]
        attempts = {"n": 0}
        started = time.perf_counter()

        def once() -> T:
            attempts["n"] += 1
            with self.limiter.slot(host):
                return fn()

        retrying = Retrying(stop=stop_after_attempt(p.attempts), reraise=True, sleep=self._sleep,
                            wait=wait_exponential(multiplier=p.wait_min, min=p.wait_min, max=p.wait_max),
                            retry=retry_if_exception(_transient))
        try:
            result = retrying(once)
        except RemoteError:
            self.stats.record(source, time.perf_counter() - started, False, attempts["n"] - 1)
            raise
        except Exception as e:  # a bug or an unexpected library error: still name the call
            self.stats.record(source, time.perf_counter() - started, False, attempts["n"] - 1)
            raise RemoteError(source, host, call, f"{type(e).__name__}: {e}") from e
        self.stats.record(source, time.perf_counter() - started, True, attempts["n"] - 1)
        return result
