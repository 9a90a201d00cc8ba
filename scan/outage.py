"""A scan's write phase carried through a store outage.

The write phase applies the whole difference by `_id` (upserts, updates, deletes by id), so applying it
again gives the same store: when the store freezes or dies in the middle of it, the scan waits for the
store (bringing an embedded one back, as every service does) and applies the difference again, instead
of failing with half of it written. Only if the store stays away longer than `wait` does the scan fail,
saying so; the next scan then completes what was written (it compares with what is there).
"""

from __future__ import annotations

import logging
import threading
from typing import Callable, TypeVar

from app.errors import CalipsoError
from app.store.keeper import StoreKeeper, is_unavailable
from app.store.store import Store

log = logging.getLogger(__name__)

T = TypeVar("T")

STORE_WAIT = 300.0      # seconds a write phase waits for its store before the scan fails
ATTEMPTS = 3


def through_outage(write: Callable[[], T], store: Store, wait: float = STORE_WAIT, attempts: int = ATTEMPTS,
                   keeper: StoreKeeper | None = None) -> T:
    """`write()`, applied again after each store outage (up to `attempts` times, each waiting up to `wait` s)."""
    for attempt in range(1, attempts + 1):
        try:
            return write()
        except Exception as e:
            if not is_unavailable(e):
                raise
            reason = f"{type(e).__name__}: {str(e).split(',')[0].split(' (configured timeouts')[0][:200]}"
            if attempt == attempts:
                raise CalipsoError(f"the store went away {attempts} times during the write phase (last: {reason}); "
                                   "the next scan completes what was written") from None
            log.warning("the store went away during the write phase (%s); waiting up to %.0f s for it, then "
                        "writing the difference again", reason, wait)
            keeper = keeper or StoreKeeper(store)
            keeper.mark_down(e)
            stop = threading.Event()
            timer = threading.Timer(wait, stop.set)
            timer.start()
            try:
                back = keeper.wait_until_up(stop)
            finally:
                timer.cancel()
            if not back:
                raise CalipsoError(f"the store went away during the write phase ({reason}) and did not come back "
                                   f"within {wait:.0f} s; the next scan completes what was written") from None
    raise AssertionError("unreachable")
