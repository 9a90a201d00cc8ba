"""`calipso db init`: indexes and seed collections, idempotent; every service runs it at start-up."""

from __future__ import annotations

import logging

from app.store.backfill import backfill_name_keys
from app.store.indexes import ensure_indexes
from app.store.seed import seed_collections

log = logging.getLogger(__name__)


def init_db(store) -> dict[str, int]:
    ensure_indexes(store.__getitem__, embedded=bool(store.location and store.location.embedded))
    counts = seed_collections(store.__getitem__)
    backfill_name_keys(store.__getitem__)
    log.debug("store initialised: %s", counts)
    return counts
