"""SIGTERM/SIGINT for long-running services: ask the loops to stop, and make sure the process is gone
within a grace period even when a call it is in cannot be interrupted (a store or broker that does not
answer), as process managers expect (docker stop gives 10 s, then SIGKILL)."""

from __future__ import annotations

import logging
import os
import signal
import threading

log = logging.getLogger("calipso")


def stop_on_signals(stop: threading.Event, grace: float = 4.0, name: str = "service") -> None:
    """On SIGTERM or SIGINT, set `stop`; if the process still runs `grace` seconds later, exit."""
    def deadline() -> None:
        log.warning("%s did not stop within %.0f s of the signal (waiting on a remote call); exiting now", name, grace)
        logging.shutdown()
        os._exit(1)

    def handler(signum, frame) -> None:
        if not stop.is_set():
            stop.set()
            timer = threading.Timer(grace, deadline)
            timer.daemon = True
            timer.start()

    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, handler)
