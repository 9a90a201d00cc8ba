"""A scan worker's reads of the cloud, one set per scan, shared by the parts of that scan it does.

A part needs the cloud-wide bulk reads a local scan makes once (every server, every instance row,
the agents): without this each part made them again. A scan's set goes when no part of it has run
here for `keep` seconds (its parts are done, or went to other workers), so a worker between scans
holds nothing.
"""

from __future__ import annotations

import threading
import time
from contextlib import contextmanager
from typing import Callable, Iterator

from scan.fetchers.base import Memo


class ScanMemos:
    def __init__(self, keep: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.keep = keep
        self.clock = clock
        self._lock = threading.Lock()
        self._memos: dict[str, Memo] = {}
        self._users: dict[str, int] = {}
        self._idle_since: dict[str, float] = {}

    @contextmanager
    def of_scan(self, scan_id: str) -> Iterator[Memo]:
        """The scan's shared memo, for the length of one part."""
        with self._lock:
            self._drop_idle()
            memo = self._memos.setdefault(scan_id, Memo())
            self._users[scan_id] = self._users.get(scan_id, 0) + 1
            self._idle_since.pop(scan_id, None)
        try:
            yield memo
        finally:
            with self._lock:
                self._users[scan_id] -= 1
                if not self._users[scan_id]:
                    self._idle_since[scan_id] = self.clock()

    def sweep(self) -> None:
        """Let go of the sets of scans no part of which has run here for `keep` seconds."""
        with self._lock:
            self._drop_idle()

    def scans(self) -> list[str]:
        with self._lock:
            return sorted(self._memos)

    def _drop_idle(self) -> None:
        now = self.clock()
        for sid, since in list(self._idle_since.items()):
            if now - since >= self.keep:
                del self._memos[sid], self._users[sid], self._idle_since[sid]
