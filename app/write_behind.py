"""Store writes done on other threads while the caller builds the next one, a bounded number waiting.

Building a write (records, summaries, encoded batches) is the caller's CPU; doing it is the store's. Run
one after the other, each waits for the other. A writer submits each write here and goes on building;
at most `depth` writes are submitted and not yet done (what they hold stays bounded), their results are
taken in the order they were submitted, and the first that failed is raised.
"""

from __future__ import annotations

from collections import deque
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any, Callable


class WriteBehind:
    """`with WriteBehind("name") as w: w.submit(fn, *args)`; `w.results` when the block has ended.

    With one thread (the default) the writes are done in the order submitted; with more, that many at
    once. A block left by an exception waits for the writes begun and raises that exception, not theirs."""

    def __init__(self, name: str, threads: int = 1, depth: int = 2):
        self._pool = ThreadPoolExecutor(max_workers=threads, thread_name_prefix=name)
        self._pending: deque[Future] = deque()
        self._depth = depth
        self.results: list[Any] = []

    def submit(self, fn: Callable[..., Any], *args: Any) -> None:
        if len(self._pending) >= self._depth:
            self.results.append(self._pending.popleft().result())
        self._pending.append(self._pool.submit(fn, *args))

    def __enter__(self) -> "WriteBehind":
        return self

    def __exit__(self, kind, value, tb) -> None:
        with self._pool:           # shut down, waiting for what is still being written
            if kind is None:
                while self._pending:
                    self.results.append(self._pending.popleft().result())
