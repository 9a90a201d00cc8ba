"""`calipso sim --register`: add the simulated cloud to the store as an environment, as `env add` would.

It never takes rights away: an environment already registered keeps the `auth` an administrator gave it.
(In the container stack the store may answer later than the simulator starts: `open_store` waits for it
for CALIPSO_STORE_WAIT seconds, as every service does.)
"""

from __future__ import annotations

import logging

from app.envconfig.repository import EnvironmentConfigs
from app.store.store import Store

log = logging.getLogger("calipso.sim")


def register(store: Store, doc: dict) -> str:
    """Add or replace the environment; returns 'added' or 'replaced'."""
    envs = EnvironmentConfigs(store)
    old = envs.find(doc["name"])
    if old is None:
        envs.add(doc)
        return "added"
    keep = {"auth": old["auth"]} if old.get("auth") else {}
    envs.replace(doc["name"], {**doc, **keep})
    return "replaced"
