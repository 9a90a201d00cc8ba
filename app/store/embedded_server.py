"""Entry point of the embedded store's server process (nx-27017), quiet, with one fix applied, the
write-path patches of app.store.embedded_patches and the serving of app.store.embedded_serving (heartbeats
answered at once, commands on the server's own threads).

nx-27017 logs every command at INFO; we keep its warnings and errors only, so the log file
under $CALIPSO_HOME stays small.

The fix: neosqlite 1.17.2's SQL fast path for updates binds a top-level `$set` value raw, so
sqlite3 turns a datetime into the text 'YYYY-MM-DD HH:MM:SS' (breaking every time comparison:
`last_seen`, leases, schedules) and a boolean into 1/0 (`clique: true` read back as 1).
Updates carrying a datetime or a boolean take neosqlite's own Python path instead, which keeps
the types. The store contract suite (tests/integration/store) shows the difference.
"""

import gc
import logging
import sys
from datetime import datetime

from app.store import embedded_patches, embedded_serving


def _needs_python_path(update_spec: dict) -> bool:
    """Values the SQL fast path would store with the wrong type."""
    return any(isinstance(v, (datetime, bool))
               for op in update_spec.values() if isinstance(op, dict) for v in op.values())


def patch_datetime_set() -> None:
    from neosqlite.collection.query_helper._sql_updates import SqlUpdatesMixin

    original = SqlUpdatesMixin._can_use_sql_updates
    if getattr(original, "_calipso_patched", False):
        return

    def can_use_sql_updates(self, update_spec, doc_id, original_doc=None):
        if _needs_python_path(update_spec):
            return False
        return original(self, update_spec, doc_id, original_doc)

    can_use_sql_updates._calipso_patched = True  # type: ignore[attr-defined]
    SqlUpdatesMixin._can_use_sql_updates = can_use_sql_updates


def main() -> int:
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    patch_datetime_set()
    embedded_patches.apply_all()
    embedded_serving.patch_serving()
    # a write burst decodes tens of thousands of documents into millions of small dicts; with the default
    # thresholds the collector runs every 700 of them and keeps walking what the batch in flight still holds
    # (1.3 s of a 1,000-host scan's 20 s write). What the server keeps from startup is frozen out of it.
    gc.freeze()
    gc.set_threshold(100_000, 50, 100)
    from nx_27017.nx_27017 import main as nx_main

    sys.argv[0] = "nx-27017"
    return nx_main() or 0


if __name__ == "__main__":
    sys.exit(main())
