"""The store suites (contract, answers, differential) run against the embedded store and, when
CALIPSO_TEST_MONGO_URI names a real mongod (for instance mongodb://127.0.0.1:27017/), against it too.
Without it the mongod runs skip, saying so: no mongod is installed where `make test` runs by default.
"""

from __future__ import annotations

import os
import uuid

import pytest

from app.store.store import Store, StoreLocation

MONGO_URI = os.environ.get("CALIPSO_TEST_MONGO_URI", "").strip()


def _database_uri(base: str, name: str) -> str:
    head, _, query = base.partition("?")
    return f"{head.rstrip('/')}/{name}" + (f"?{query}" if query else "")


@pytest.fixture(params=["embedded", "mongod"])
def backend_store(request, store_uri) -> Store:
    """A Store on a fresh database of the embedded store, or of CALIPSO_TEST_MONGO_URI's mongod. The suites'
    modules use it as their `store`."""
    if request.param == "mongod" and not MONGO_URI:
        pytest.skip("CALIPSO_TEST_MONGO_URI is not set: no real mongod to run the store suite against")
    name = f"t_{uuid.uuid4().hex[:12]}"
    if request.param == "embedded":
        s = Store.connect(StoreLocation(f"{store_uri}{name}", "test embedded store", embedded=True))
    else:
        s = Store.connect(StoreLocation(_database_uri(MONGO_URI, name), "CALIPSO_TEST_MONGO_URI"))
    yield s
    try:
        s.client.drop_database(name)
    finally:
        s.close()


@pytest.fixture
def embedded_only(backend_store) -> None:
    """For what only the embedded store does (its refusals, its SQLite plans)."""
    if not backend_store.location.embedded:
        pytest.skip("checks the embedded store's own behaviour")
