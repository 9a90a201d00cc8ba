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
from dataclasses import dataclass, field
from typing import Callable, Iterator

from scan.fetchers.base import Memo


@dataclass
class _Scan:
    memo: Memo = field(default_factory=Memo)
    parts: int = 0                      # its parts running here now
    idle_since: float | None = None     # when the last of them ended


class ScanMemos:
    def __init__(self, keep: float = 30.0, clock: Callable[[], float] = time.monotonic):
        self.keep = keep
        self.clock = clock
        self._lock = threading.Lock()
        self._scans: dict[str, _Scan] = {}

    @contextmanager
    def of_scan(self, scan_id: str) -> Iterator[Memo]:
        """The scan's shared memo, for the length of one part."""
        with self._lock:
            self._drop_idle()
            scan = self._scans.setdefault(scan_id, _Scan())
            scan.parts += 1
            scan.idle_since = None
        try:
            yield scan.memo
        finally:
            with self._lock:
                scan.parts -= 1
                if not scan.parts:
                    scan.idle_since = self.clock()

    def sweep(self) -> None:
        """Let go of the sets of scans no part of which has run here for `keep` seconds."""
        with self._lock:
            self._drop_idle()

    def scans(self) -> list[str]:
        with self._lock:
            return sorted(self._scans)

    def _drop_idle(self) -> None:
        now = self.clock()
        for sid, scan in list(self._scans.items()):
            if scan.idle_since is not None and now - scan.idle_since >= self.keep:
                del self._scans[sid]
