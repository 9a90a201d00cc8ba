"""Store writes off the fetch path: one writer thread, in order, so the next level's fetches
overlap with this level's bulk writes. Fetchers never read the store during the inventory
phase (they read the scan's own index), so nothing waits for these writes but the end."""

from __future__ import annotations

import queue
import threading
from typing import Callable


class BackgroundWriter:
    def __init__(self, name: str = "scan-writer"):
        self._q: queue.Queue = queue.Queue(maxsize=64)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name=name, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while True:
            job = self._q.get()
            if job is None:
                return
            if self._error is None:
                try:
                    job()
                except BaseException as e:  # reported by close(), in the scan's thread
                    self._error = e

    def submit(self, fn: Callable[[], None]) -> None:
        if self._error is not None:
            raise self._error
        self._q.put(fn)

    def close(self) -> None:
        """Wait for every write; re-raise the first failure."""
        self._q.put(None)
        self._thread.join()
        if self._error is not None:
            raise self._error
