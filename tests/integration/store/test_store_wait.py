"""A service started before its store waits for it (CALIPSO_STORE_WAIT), as in a container stack."""

from __future__ import annotations

import threading
import time

import pytest

from app.errors import StoreError
from app.store.embedded import EmbeddedStore
from app.store.opening import open_store
from app.store.store import StoreLocation, connect_waiting, store_wait
from tests.ports import spare_port


def test_a_store_that_starts_late_is_waited_for(tmp_path, caplog):
    port = spare_port()
    late = EmbeddedStore(tmp_path / "late", port=port)
    starter = threading.Timer(7.0, late.ensure_running)  # after one 5 s connect attempt
    starter.start()
    try:
        store = connect_waiting(StoreLocation(f"mongodb://127.0.0.1:{port}/late", "test"), wait=60)
        store.db.command("ping")
        store.close()
        assert any("waiting for it" in r.getMessage() for r in caplog.records)
    finally:
        starter.join()
        late.stop()


def test_without_a_wait_an_unreachable_store_fails_at_once_with_where_it_looked():
    port = spare_port()
    started = time.monotonic()
    with pytest.raises(StoreError, match=f"cannot reach MongoDB at mongodb://127.0.0.1:{port}/x"):
        open_store(environ={"CALIPSO_MONGO_URI": f"mongodb://127.0.0.1:{port}/x"})
    assert time.monotonic() - started < 30


@pytest.mark.parametrize("raw", ["soon", "-5"])
def test_a_bad_wait_setting_is_named(raw):
    with pytest.raises(StoreError, match=f"CALIPSO_STORE_WAIT={raw!r}"):
        store_wait({"CALIPSO_STORE_WAIT": raw})
