"""A scan's write phase carried through a store outage.

The write phase applies the whole difference by `_id` (upserts, updates, deletes by id), so applying it
again gives the same store: when the store freezes or dies in the middle of it, the scan waits for the
store (bringing an embedded one back, as every service does) and applies the difference again, instead
of failing with half of it written. Only if the store stays away longer than `wait` does the scan fail,
saying so; the next scan then completes what was written (it compares with what is there).
"""

from __future__ import annotations

from typing import Callable, TypeVar

from app.store.keeper import StoreKeeper, ride_out
from app.store.store import Store

T = TypeVar("T")

STORE_WAIT = 300.0      # seconds a write phase waits for its store before the scan fails
ATTEMPTS = 3


def through_outage(write: Callable[[], T], store: Store, wait: float = STORE_WAIT, attempts: int = ATTEMPTS,
                   keeper: StoreKeeper | None = None) -> T:
    """`write()`, applied again after each store outage (up to `attempts` times, each waiting up to `wait` s)."""
    return ride_out(write, store, "the write phase", "writing the difference again", wait, attempts, keeper,
                    after="; the next scan completes what was written")
