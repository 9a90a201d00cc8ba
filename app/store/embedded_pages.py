"""How much of a database the embedded store keeps in memory, and how often it folds its log back.

SQLite's defaults (a 2 MB page cache per connection, a checkpoint every 1,000 pages of write-ahead log)
are sized for a phone. A scan's write inserts batches of 1,000 documents, each touching a dozen index
B-trees at scattered places: with 2 MB, the pages a batch dirties no longer fit, SQLite spills them to the
log mid-transaction and reads them back for the next document, and it checkpoints every 4 MB. Replaying
a 1,000-host scan's write (122,000 documents, 213 MB of BSON) into a fresh store, three runs each on a
noisy 2-core machine: store CPU 12.2-17.0 s -> 10.8-11.9 s, 2.8 -> 2.0 GB written, peak RSS 244 -> 277 MB.
At 3,000 hosts the CPU is the same either way (50.6 against 51.2 s: the indexes outgrow any cache that
size; 256 MB did no better) and the writes drop 13.9 -> 10.8 GB. A 256 MB cache, a 128 MB log or a 1 GB
memory map gained nothing measurable. The cache is a ceiling: a small database uses what it holds.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

CACHE_MB = 32             # the page cache of each open database (SQLite's `cache_size`)
CHECKPOINT_PAGES = 16384  # write-ahead log pages (4 KiB) between automatic checkpoints (SQLite's: 1,000)


def _whole(environ: Mapping[str, str], name: str, default: int) -> int:
    text = (environ.get(name) or "").strip()
    if not text:
        return default
    try:
        return int(text)
    except ValueError:
        raise ValueError(f"{name}={text!r}: not a whole number") from None


def pragmas(environ: Mapping[str, str]) -> list[str]:
    """The statements a new connection runs: CALIPSO_STORE_CACHE_MB and CALIPSO_STORE_CHECKPOINT_PAGES
    override the defaults (a negative cache_size is in KiB)."""
    cache_mb = _whole(environ, "CALIPSO_STORE_CACHE_MB", CACHE_MB)
    pages = _whole(environ, "CALIPSO_STORE_CHECKPOINT_PAGES", CHECKPOINT_PAGES)
    return [f"PRAGMA cache_size = {-1024 * max(2, cache_mb)}",
            f"PRAGMA wal_autocheckpoint = {max(1000, pages)}"]


def patch_page_cache(environ: Mapping[str, str] = os.environ) -> None:
    """Every connection neosqlite opens (one per database) gets the larger cache and checkpoint interval."""
    from neosqlite.connection import Connection

    original = Connection._configure_connection
    if getattr(original, "_calipso_patched", False):
        return
    statements = pragmas(environ)

    def configure(self: Any) -> None:
        original(self)
        for statement in statements:
            self.db.execute(statement)

    configure._calipso_patched = True  # type: ignore[attr-defined]
    Connection._configure_connection = configure
