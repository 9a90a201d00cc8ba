"""What a running scan shows: one live status line on a terminal, plain log lines otherwise."""

from __future__ import annotations

import logging
import sys
import threading
import time

log = logging.getLogger("scan.progress")


class Progress:
    def __init__(self, stream=None, tty: bool | None = None, interval: float = 0.2):
        self.stream = stream or sys.stderr
        self.tty = self.stream.isatty() if tty is None else tty
        self.interval = interval
        self.phase_name = "starting"
        self.hosts_total = self.hosts_done = self.found = self.errors = 0
        self._last = 0.0
        self._lock = threading.Lock()

    def phase(self, name: str) -> None:
        with self._lock:
            self.phase_name = name
        if not self.tty:
            log.info("phase %s", name)
        self._show(force=True)

    def hosts(self, done: int, total: int) -> None:
        with self._lock:
            changed = (done, total) != (self.hosts_done, self.hosts_total)
            self.hosts_done, self.hosts_total = done, total
        if changed and not self.tty:
            log.info("hosts %d/%d done, %d objects found", done, total, self.found)
        self._show()

    def objects(self, n: int) -> None:
        self.found = n
        self._show()

    def set_errors(self, n: int) -> None:
        self.errors = n

    def line(self) -> str:
        return (f"scan: {self.phase_name:<9} | hosts {self.hosts_done}/{self.hosts_total} | "
                f"objects {self.found} | errors {self.errors}")

    def _show(self, force: bool = False) -> None:
        if not self.tty:
            return
        now = time.monotonic()
        if not force and now - self._last < self.interval:
            return
        self._last = now
        self.stream.write("\r" + self.line() + "\x1b[K")
        self.stream.flush()

    def close(self) -> None:
        if self.tty:
            self._show(force=True)
            self.stream.write("\n")
            self.stream.flush()
