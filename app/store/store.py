"""Finding the store, connecting to it, and naming its collections.

Where the store is, in order: `-m/--mongo_config FILE`, then `CALIPSO_MONGO_URI`, then the
embedded store under $CALIPSO_HOME (started on demand).
"""

from __future__ import annotations

import logging
import os
import re
import time
from dataclasses import dataclass
from pathlib import Path

import pymongo
from pymongo.collection import Collection
from pymongo.database import Database
from pymongo.errors import ConfigurationError, InvalidURI, OperationFailure, PyMongoError

from app.errors import StoreError
from app.store.embedded import EmbeddedStore, default_home
from app.store.mongo_config import parse_mongo_config, uri_from_mongo_config
from app.store.names import CollectionNames

log = logging.getLogger(__name__)

DEFAULT_DB = "calipso"


@dataclass(frozen=True)
class Patience:
    """How long a client waits for a store that does not answer at all, as opposed to one still reading.

    `select` bounds server selection and a new connection's handshake (pymongo's serverSelectionTimeoutMS
    and connectTimeoutMS, which is also its monitor's hello timeout); `heartbeat` is how often the monitor
    asks. A frozen or dead store is noticed within heartbeat + select: the monitor's hello times out, pymongo
    interrupts the operations waiting on it and fails the next ones after `select`. No socket timeout is set:
    a long read in progress (a big clique graph, a 1,000-row page on a loaded machine) is never cut."""

    select: float = 5.0
    heartbeat: float = 10.0


#: for services answering people (API, console): a frozen store is a 503 within about 2-3 s, not 5-15 s
SERVING = Patience(select=2.0, heartbeat=1.0)


@dataclass(frozen=True)
class StoreLocation:
    uri: str
    source: str
    embedded: bool = False
    home: str | None = None     # $CALIPSO_HOME of an embedded store: where to start it again if it dies


def redact_uri(uri: str) -> str:
    """The URI with its password replaced, for messages and logs."""
    return re.sub(r"(mongodb(?:\+srv)?://[^:/@]+):[^@/]*@", r"\1:****@", uri)


def locate(mongo_config: str | None = None, environ: dict[str, str] | None = None,
           start_embedded: bool = True) -> StoreLocation:
    environ = os.environ if environ is None else environ
    if mongo_config:
        uri = uri_from_mongo_config(parse_mongo_config(mongo_config))
        return StoreLocation(uri, f"mongo_config file {mongo_config}")
    if environ.get("CALIPSO_MONGO_URI"):
        return StoreLocation(environ["CALIPSO_MONGO_URI"], "CALIPSO_MONGO_URI")
    home = default_home(environ)
    port = environ.get("CALIPSO_STORE_PORT")
    if port is not None and not (port.isdigit() and 0 < int(port) < 65536):
        raise StoreError(f"CALIPSO_STORE_PORT={port!r} is not a port number")
    embedded = EmbeddedStore(home, port=int(port) if port else None)
    if start_embedded:
        uri = embedded.ensure_running()
    else:
        state = embedded.running_state()
        uri = state.uri if state else ""
    return StoreLocation(uri, f"embedded store in {home}", embedded=True, home=str(home))


class Store:
    """A connected MongoDB database, with the `-y` naming rule applied to collection lookups."""

    def __init__(self, client: pymongo.MongoClient, db: Database, names: CollectionNames | None = None,
                 location: StoreLocation | None = None):
        self.client = client
        self.db = db
        self.names = names or CollectionNames()
        self.location = location

    def __getitem__(self, collection: str) -> Collection:
        return self.db[self.names(collection)]

    def with_inventory(self, inventory: str) -> "Store":
        """The same connection with another `-y` inventory name."""
        return Store(self.client, self.db, CollectionNames(inventory), self.location)

    def close(self) -> None:
        self.client.close()

    @classmethod
    def connect(cls, location: StoreLocation, inventory: str = "inventory", timeout: float = 5.0,
                heartbeat: float = 10.0) -> "Store":
        where = redact_uri(location.uri)
        try:
            client = pymongo.MongoClient(
                location.uri, serverSelectionTimeoutMS=int(timeout * 1000),
                connectTimeoutMS=int(timeout * 1000), heartbeatFrequencyMS=int(heartbeat * 1000), tz_aware=True,
            )
        except (InvalidURI, ConfigurationError, ValueError) as e:
            raise StoreError(f"invalid MongoDB URI {where} (from {location.source}): {e}") from None
        try:
            client.admin.command("ping")
        except OperationFailure as e:
            client.close()
            raise StoreError(f"MongoDB at {where} (from {location.source}) refused us: {e.details.get('errmsg', e) if e.details else e}") from None
        except PyMongoError as e:
            client.close()
            reason = str(e).split(",")[0].split(" (configured timeouts")[0]
            raise StoreError(f"cannot reach MongoDB at {where} (from {location.source}): {reason}") from None
        try:
            db = client.get_default_database(DEFAULT_DB)
        except ConfigurationError:
            db = client[DEFAULT_DB]
        return cls(client, db, CollectionNames(inventory), location)


def store_wait(environ: dict[str, str] | None = None) -> float:
    """Seconds a starting service waits for an unreachable store (CALIPSO_STORE_WAIT; 0 by default).

    In a container stack the store may start after the services; each waits by itself rather than
    relying on the engine's health-based ordering, which some engines ignore."""
    raw = (os.environ if environ is None else environ).get("CALIPSO_STORE_WAIT", "0")
    try:
        value = float(raw)
    except ValueError:
        raise StoreError(f"CALIPSO_STORE_WAIT={raw!r} is not a number of seconds") from None
    if value < 0:
        raise StoreError(f"CALIPSO_STORE_WAIT={raw!r} must not be negative")
    return value


def connect_waiting(location: StoreLocation, inventory: str = "inventory", wait: float = 0.0,
                    clock=time.monotonic, sleep=time.sleep, patience: Patience = Patience()) -> Store:
    """Store.connect, retried with bounded backoff for up to `wait` seconds while the store is unreachable."""
    deadline, delay = clock() + wait, 1.0
    while True:
        try:
            return Store.connect(location, inventory=inventory, timeout=patience.select, heartbeat=patience.heartbeat)
        except StoreError as e:
            if not str(e).startswith("cannot reach") or clock() + delay > deadline:
                raise
            log.warning("%s; waiting for it (retry in %.0f s, giving up in %.0f s)", e, delay, deadline - clock())
            sleep(delay)
            delay = min(delay * 2, 10.0)


def calipso_home(environ: dict[str, str] | None = None) -> Path:
    return default_home(environ)
