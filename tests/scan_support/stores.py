"""A database of its own on the test run's embedded store, holding one environment's configuration."""

from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Iterator

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation


@contextmanager
def env_store(store_uri: str, env: dict) -> Iterator[Store]:
    """A fresh, initialised database with `env` configured; dropped afterwards."""
    db = f"t_{uuid.uuid4().hex[:12]}"
    store = Store.connect(StoreLocation(f"{store_uri}{db}", "test", embedded=True))
    try:
        init_db(store)
        EnvironmentConfigs(store).add(env)
        yield store
    finally:
        store.client.drop_database(db)
        store.close()


@contextmanager
def sim_store(store_uri: str, sim) -> Iterator[Store]:
    """`env_store` of a simulated cloud (tests.scan_support.sim), which is stopped afterwards."""
    try:
        with env_store(store_uri, sim.env) as store:
            yield store
    finally:
        sim.stop()
