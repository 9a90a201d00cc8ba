"""Entry point of the embedded store's server process (nx-27017), quiet, with one fix applied.

nx-27017 logs every command at INFO; we keep its warnings and errors only, so the log file
under $CALIPSO_HOME stays small.

The fix: neosqlite 1.17.2 stores a top-level datetime given to `$set` on an existing document
as the string 'YYYY-MM-DD HH:MM:SS' (its SQL fast path binds the value raw, so sqlite3's
default adapter turns it into text), which breaks every time comparison (`last_seen`, leases,
schedules). Updates carrying a datetime take neosqlite's own Python path instead, which keeps
the type. The store contract suite (tests/integration/store) shows the difference.
"""

import logging
import sys
from datetime import datetime


def _has_datetime(update_spec: dict) -> bool:
    return any(isinstance(v, datetime)
               for op in update_spec.values() if isinstance(op, dict) for v in op.values())


def patch_datetime_set() -> None:
    from neosqlite.collection.query_helper._sql_updates import SqlUpdatesMixin

    original = SqlUpdatesMixin._can_use_sql_updates
    if getattr(original, "_calipso_patched", False):
        return

    def can_use_sql_updates(self, update_spec, doc_id, original_doc=None):
        if _has_datetime(update_spec):
            return False
        return original(self, update_spec, doc_id, original_doc)

    can_use_sql_updates._calipso_patched = True  # type: ignore[attr-defined]
    SqlUpdatesMixin._can_use_sql_updates = can_use_sql_updates


def main() -> int:
    logging.getLogger("nx_27017").setLevel(logging.WARNING)
    patch_datetime_set()
    from nx_27017.nx_27017 import main as nx_main

    sys.argv[0] = "nx-27017"
    return nx_main() or 0


if __name__ == "__main__":
    sys.exit(main())
