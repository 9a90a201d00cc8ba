"""What the embedded store's planning probes found, kept until the database changes.

Every find, count, update and delete asks SQLite, before it runs, which fields have a json_type index and
whether any document holds an array, a document or a non-string there (app.store.embedded_exact `Probe`), and
nx-27017 lists the collections before every find: four to six small queries, as much of the store's CPU as
the indexed find they precede (a find by `_env_id`: ~40 % of the command). Their answers only change when the
data or the schema does, so they are kept per SQLite connection under a version that any change moves:

- `total_changes` of the connection: every row this connection inserted, updated or deleted (a rolled-back
  change counts too, so the version moves on, never back);
- `PRAGMA data_version`: a commit by any other connection to the file;
- `PRAGMA schema_version`: any table or index created, dropped or renamed.

The version is read before any probe runs, so an answer can only be kept under a version at least as old as
the data it saw, and is dropped at the next change. Inside an open transaction nothing is kept or reused (what
it wrote may still be rolled back to a state the version has already passed).
"""

from __future__ import annotations

from typing import Any

_ATTRIBUTE = "_calipso_probe_memory"


class ProbeMemory:
    """Probe answers of one SQLite connection at one version."""

    def __init__(self, version: tuple[int, int, int]):
        self.version = version
        self.typed: dict[str, frozenset[str]] = {}     # collection -> fields with a json_type index
        self.holds: dict[tuple, bool] = {}              # (collection, field, types) -> a document holds one
        self.names: list[str] | None = None             # the collection names (neosqlite's list)


def _version(conn: Any) -> tuple[int, int, int]:
    data = conn.execute("PRAGMA data_version").fetchone()[0]
    schema = conn.execute("PRAGMA schema_version").fetchone()[0]
    return conn.total_changes, data, schema


def memory_of(owner: Any, conn: Any) -> ProbeMemory | None:
    """The memory kept on `owner` (neosqlite's Connection) for its sqlite3 connection `conn`, emptied when the
    version has moved; None inside a transaction (probe afresh). Callers hold the database's command lock."""
    if conn.in_transaction:
        return None
    version = _version(conn)
    memory = vars(owner).get(_ATTRIBUTE)     # not getattr: neosqlite's Connection answers any name with a collection
    if memory is None or memory.version != version:
        memory = ProbeMemory(version)
        vars(owner)[_ATTRIBUTE] = memory
    return memory


def patch_collection_names() -> None:
    """neosqlite's `list_collection_names` (a sqlite_master read before every find of nx-27017) from the memory."""
    from neosqlite.connection import Connection

    original = Connection.list_collection_names
    if getattr(original, "_calipso_patched", False):
        return

    def list_collection_names(self: Any) -> list[str]:
        memory = memory_of(self, self.db)
        if memory is None:
            return original(self)
        if memory.names is None:
            memory.names = original(self)
        return list(memory.names)

    list_collection_names._calipso_patched = True  # type: ignore[attr-defined]
    Connection.list_collection_names = list_collection_names
