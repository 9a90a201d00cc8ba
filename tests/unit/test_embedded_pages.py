"""The embedded store's databases open with a page cache and checkpoint interval sized for a scan's writes."""

from __future__ import annotations

import pytest

from app.store import embedded_pages


def test_defaults_and_overrides():
    assert embedded_pages.pragmas({}) == ["PRAGMA cache_size = -32768", "PRAGMA wal_autocheckpoint = 16384"]
    assert embedded_pages.pragmas({"CALIPSO_STORE_CACHE_MB": "128", "CALIPSO_STORE_CHECKPOINT_PAGES": "4096"}) == \
        ["PRAGMA cache_size = -131072", "PRAGMA wal_autocheckpoint = 4096"]
    # never below SQLite's own defaults
    assert embedded_pages.pragmas({"CALIPSO_STORE_CACHE_MB": "0", "CALIPSO_STORE_CHECKPOINT_PAGES": "10"}) == \
        ["PRAGMA cache_size = -2048", "PRAGMA wal_autocheckpoint = 1000"]


def test_a_database_the_store_opens_has_them(tmp_path, monkeypatch):
    from neosqlite.connection import Connection

    monkeypatch.setattr(Connection, "_configure_connection", Connection._configure_connection)   # undone after
    embedded_pages.patch_page_cache({})
    conn = Connection(str(tmp_path / "calipso.db"), check_same_thread=False)
    try:
        assert conn.db.execute("PRAGMA cache_size").fetchone()[0] == -32768
        assert conn.db.execute("PRAGMA wal_autocheckpoint").fetchone()[0] == 16384
        assert conn.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"     # neosqlite's own settings kept
    finally:
        conn.close()


def test_not_a_number_is_refused():
    with pytest.raises(ValueError, match="CALIPSO_STORE_CACHE_MB='lots': not a whole number"):
        embedded_pages.pragmas({"CALIPSO_STORE_CACHE_MB": "lots"})
