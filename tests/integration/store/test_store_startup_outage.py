"""The store dies while a service is starting (between connecting and initialising it): the start waits for
it and initialises again, as a running service rides out an outage, instead of exiting."""

from __future__ import annotations

import logging
import os
import signal

import pytest

import app.store.init as store_init
import app.store.opening as opening
from app.errors import CalipsoError
from app.store.embedded import EmbeddedStore
from app.store.opening import open_store
from tests.ports import spare_port


def _killing_the_store_first(monkeypatch, embedded: EmbeddedStore) -> list[int]:
    """init_db as it is, except that its first call kills the store under it (SIGKILL) before it runs."""
    real, killed = store_init.init_db, []

    def init_db(store):
        if not killed:
            pid = embedded.read_state().pid
            os.kill(pid, signal.SIGKILL)
            killed.append(pid)
        return real(store)
    monkeypatch.setattr(store_init, "init_db", init_db)
    return killed


def test_an_embedded_store_killed_during_start_up_is_brought_back_and_initialised(tmp_path, monkeypatch, caplog):
    home = tmp_path / "home"
    embedded = EmbeddedStore(home)
    embedded.ensure_running()
    killed = _killing_the_store_first(monkeypatch, embedded)
    caplog.set_level(logging.WARNING)
    try:
        store = open_store(environ={"CALIPSO_HOME": str(home)})
        try:
            assert killed, "the store was not killed: the test did not test anything"
            assert embedded.read_state().pid != killed[0]           # a new store process
            keys = [(i["key"], i.get("unique")) for i in store["inventory"].index_information().values()]
            assert ([("_key", 1)], True) in keys     # initialised once it was back
            assert store["constants"].count_documents({}) > 0
        finally:
            store.close()
        assert any("went away during start-up" in r.getMessage() for r in caplog.records)
    finally:
        embedded.stop()


@pytest.mark.slow
def test_a_store_that_stays_away_during_start_up_fails_it_saying_so(tmp_path, monkeypatch):
    port = spare_port()
    embedded = EmbeddedStore(tmp_path / "external", port=port)
    embedded.ensure_running()
    _killing_the_store_first(monkeypatch, embedded)
    monkeypatch.setattr(opening, "STARTUP_OUTAGE_WAIT", 3.0)
    try:
        # reached by its URI, as an external MongoDB: nobody here may start it again
        with pytest.raises(CalipsoError, match=r"went away during start-up \(indexes and seed data\) .* did not "
                                               r"come back within 3 s"):
            open_store(environ={"CALIPSO_MONGO_URI": f"mongodb://127.0.0.1:{port}/ext"})
    finally:
        embedded.stop()
