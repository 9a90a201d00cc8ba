"""Who runs the fetch tasks: in order (unit tests), or on a bounded thread pool.

Tasks never know which runner runs them. The pool only bounds threads; the remote-call
limits (total and per host) are enforced by scan.access.calls.Limiter around each call.
"""

from __future__ import annotations

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
        self._tasks = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="scan")
        self._sub = ThreadPoolExecutor(max_workers=max(1, nested_workers or workers), thread_name_prefix="scan-sub")

    def map(self, fn, items):
        if len(items) <= 1:
            return [fn(x) for x in items]
        return list(self._tasks.map(fn, items))

    def nested(self, fn, items):
        if len(items) <= 1:
            return [fn(x) for x in items]
        return list(self._sub.map(fn, items))

    def close(self) -> None:
        self._tasks.shutdown(wait=True, cancel_futures=True)
        self._sub.shutdown(wait=True, cancel_futures=True)
