"""Who runs the fetch tasks: in order (unit tests), or on a bounded thread pool.

Tasks never know which runner runs them. The pool only bounds threads; the remote-call
limits (total and per host) are enforced by scan.access.calls.Limiter around each call.
A map hands the pool a few drainers that take the items in turn, not a Future per item
(a wave of a 1,000-host scan has tens of thousands of tasks).
"""

from __future__ import annotations

import itertools
from concurrent.futures import ThreadPoolExecutor
from typing import Callable, Protocol, TypeVar

T = TypeVar("T")
R = TypeVar("R")


class Runner(Protocol):
    def map(self, fn: Callable[[T], R], items: list[T]) -> list[R]: ...
    def nested(self, fn: Callable[[T], R], items: list[T]) -> list[R]: ...
    def close(self) -> None: ...


class SerialRunner:
    def map(self, fn, items):
        return [fn(x) for x in items]

    nested = map

    def close(self) -> None:
        pass


class PoolRunner:
    """Fetch tasks on one pool; the calls a task fans out (per interface, per domain) on another,
    so a task waiting for its own sub-calls can never starve the pool it runs on."""

    def __init__(self, workers: int = 32, nested_workers: int | None = None):
        self._workers = max(1, workers)
        self._nested_workers = max(1, nested_workers or workers)
        self._tasks = ThreadPoolExecutor(max_workers=self._workers, thread_name_prefix="scan")
        self._sub = ThreadPoolExecutor(max_workers=self._nested_workers, thread_name_prefix="scan-sub")

    def map(self, fn, items):
        return _drain(self._tasks, self._workers, fn, items)

    def nested(self, fn, items):
        return _drain(self._sub, self._nested_workers, fn, items)

    def close(self) -> None:
        self._tasks.shutdown(wait=True, cancel_futures=True)
        self._sub.shutdown(wait=True, cancel_futures=True)


def _drain(pool: ThreadPoolExecutor, workers: int, fn: Callable[[T], R], items: list[T]) -> list[R]:
    """fn over items on `workers` threads of `pool`, results in order; the first exception is raised."""
    items = list(items)
    if len(items) <= 1:
        return [fn(x) for x in items]
    results: list = [None] * len(items)
    turn = itertools.count()      # next() on a count is atomic under the GIL

    def drainer() -> None:
        for i in iter(turn.__next__, None):
            if i >= len(items):
                return
            results[i] = fn(items[i])

    futures = [pool.submit(drainer) for _ in range(min(workers, len(items)))]
    for f in futures:
        f.result()
    return results
