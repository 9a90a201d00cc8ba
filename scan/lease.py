"""Keeping a claimed scan's lease alive while it runs, from a background thread."""

from __future__ import annotations

import logging
import threading
from datetime import timedelta

from bson import ObjectId

from app.scans import Scans

log = logging.getLogger(__name__)


class Heartbeat:
    def __init__(self, scans: Scans, scan_id: ObjectId, owner: str, lease: timedelta):
        self.scans, self.scan_id, self.owner, self.lease = scans, scan_id, owner, lease
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="scan-lease", daemon=True)
        self.lost = False

    def _run(self) -> None:
        every = max(0.05, self.lease.total_seconds() / 3)
        while not self._stop.wait(every):
            try:
                if not self.scans.renew(self.scan_id, self.owner, self.lease):
                    self.lost = True
                    log.warning("scan %s: lease lost (another manager failed it?)", self.scan_id)
                    return
            except Exception as e:
                log.warning("scan %s: cannot renew the lease: %s", self.scan_id, e)

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
