"""How a scan sets the Python interpreter while it runs: process-wide settings, each put back afterwards.

Both follow one rule for overlapping scans in one process (the scan manager's): a scan that finds the
setting already made leaves it to the scan that made it, which puts it back when it ends.
"""

from __future__ import annotations

import gc
import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def coarse_switching(interval: float = 0.05) -> Iterator[None]:
    """A longer GIL switch interval while the inventory is fetched.

    A full scan of a large cloud runs its fetch tasks on pools of threads, all asking for the GIL beside
    the SSH event loop (before the pool moved to asyncssh it also held a thread per SSH connection: over a
    thousand at 1,000 hosts, when this was measured). Every thread waiting for the GIL wakes each switch interval
    (5 ms by default) to ask for it; with hundreds waiting, those wake-ups cost more kernel time
    than the scan's own work (measured: 55 % of the scanner's CPU in context switches, and runs
    that took four times as long). A thread that blocks on I/O gives the GIL up at once anyway;
    only one that computes keeps it up to `interval`.
    """
    old = sys.getswitchinterval()
    if old >= interval * 0.99:   # already coarse (another scan of this process): that one restores it
        # (0.99: the interpreter keeps microseconds, so 0.05 reads back as 0.0499...)
        yield
        return
    sys.setswitchinterval(interval)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


@contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic garbage collection while a scan runs; the collector is back on when it ends.

    A scan builds millions of small dicts (a full tunnel mesh alone is a million ports at 1,000
    hosts) and keeps nearly all of them to the end. Each time the young objects outnumber a
    quarter of the old ones, the collector walks the whole heap again and finds nothing to free:
    8 of the scanner's 33 CPU seconds at 1,000 hosts. What a scan frees, it frees by reference
    counting; the cycles it leaves (a closed SSH connection is one) are collected once, when the
    inventory's connections have closed (scan.memory.give_back).
    """
    if not gc.isenabled():   # paused already (another scan of this process): that one turns it back on
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()
