"""`calipso sim --register`: add the simulated cloud to the store as an environment, as `env add` would.

It never takes rights away: an environment already registered keeps the `auth` an administrator gave it.
(In the container stack the store may answer later than the simulator starts: `open_store` waits for it
for CALIPSO_STORE_WAIT seconds, as every service does.)
"""

from __future__ import annotations

import logging

from app.envconfig.repository import EnvironmentConfigs
from app.listener_queue import declare_for
from app.store.store import Store

log = logging.getLogger("calipso.sim")


def register(store: Store, doc: dict) -> str:
    """Add or replace the environment, and declare its notification queue as `env add` does (so events
    published before the first `calipso listen` are kept); returns 'added' or 'replaced'."""
    envs = EnvironmentConfigs(store)
    old = envs.find(doc["name"])
    if old is None:
        env, done = envs.add(doc), "added"
    else:
        keep = {"auth": old["auth"]} if old.get("auth") else {}
        env, done = envs.replace(doc["name"], {**doc, **keep}), "replaced"
    declare_for(env)   # logs what it did, or why it could not
    return done
