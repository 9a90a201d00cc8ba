"""A simulated cloud's own database on the test run's embedded store, holding its environment's configuration."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation


@contextmanager
def sim_store(store_uri: str, sim) -> Iterator[Store]:
    """A fresh, initialised database with the simulated cloud (tests.scan_support.sim) configured; the database is
    dropped and the cloud stopped afterwards."""
    db = f"t_{uuid.uuid4().hex[:12]}"
    store = Store.connect(StoreLocation(f"{store_uri}{db}", "test", embedded=True))
    try:
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        yield store
    finally:
        store.client.drop_database(db)
        store.close()
        sim.stop()
