"""Opening the store at a service's start: find it, connect (waiting if it is late), initialise it.

Apart from app.store.store because riding out an outage (app.store.keeper) is built on that module."""

from __future__ import annotations

from app.store.keeper import ride_out
from app.store.store import Patience, Store, connect_waiting, locate, store_wait

STARTUP_OUTAGE_WAIT = 60.0   # seconds a start-up waits for a store that went away mid-way (or CALIPSO_STORE_WAIT)


def open_store(mongo_config: str | None = None, inventory: str = "inventory",
               environ: dict[str, str] | None = None, init: bool = True, patience: Patience = Patience()) -> Store:
    """Locate, connect and (idempotently) initialise the store: what every service does at start-up.

    A store that goes away while it is being initialised (killed, restarted, failing over) is waited for and
    the initialisation made again, as a running service rides out an outage; an embedded store is brought
    back. Only a store that stays away fails the start, saying so."""
    wait = store_wait(environ)
    store = connect_waiting(locate(mongo_config, environ), inventory, wait, patience=patience)
    if init:
        from app.store.init import init_db

        try:
            ride_out(lambda: init_db(store), store, "start-up (indexes and seed data)", "starting again",
                     max(wait, STARTUP_OUTAGE_WAIT))
        except BaseException:
            store.close()
            raise
    return store
