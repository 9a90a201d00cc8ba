"""Light projections of large cliques, kept between requests while the environment's inventory is unchanged.

Reading the type, host and status of 40,000 objects and 40,000 links costs seconds on the embedded
store (every document is decoded whole), far over what a page may take to open. The structure of
a clique changes only when a scan or the listener writes, which bumps the environment's change-log
counter (`changes_state.seq`); so the projection is kept per clique and counter. Monitoring changes
statuses without bumping it: each answer therefore overlays the statuses of what fails now, read
through the `status_value` index (a few rows), and turns what failed when cached and fails no more
back to OK.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from typing import Callable

from app.store.store import Store
from app.topology.source import CliqueData

FAILING = {"status_value": {"$in": [1, 2]}}
STATUS_FIELDS = {"_id": 1, "environment": 1, "status": 1, "status_value": 1}


def change_marker(store: Store, env: str):
    return (store["changes_state"].find_one({"_id": env}) or {}).get("seq", 0)


def _overlay(docs: dict, failing: dict) -> dict:
    """`docs` with the statuses of `failing` (_id -> status fields); formerly failing ones back to OK."""
    out = dict(docs)
    for oid, doc in docs.items():
        now = failing.get(oid)
        if now is not None:
            out[oid] = {**doc, "status": now.get("status"), "status_value": now.get("status_value")}
        elif doc.get("status_value") in (1, 2):
            out[oid] = {**doc, "status": "OK", "status_value": 0}
    return out


class LightCache:
    """A few large cliques' light projections (LRU), each valid for one change marker of its environment."""

    def __init__(self, size: int = 8):
        self.size = size
        self._kept: OrderedDict = OrderedDict()
        self._lock = threading.Lock()

    def cached(self, store: Store, env: str, clique_id) -> CliqueData | None:
        """The kept projection of this clique with today's statuses, if the environment has not changed since."""
        key = (store.db.name, clique_id)
        with self._lock:
            hit = self._kept.get(key)
            if hit is not None:
                self._kept.move_to_end(key)
        if hit is None or hit[1].clique.get("environment") != env or hit[0] != change_marker(store, env):
            return None
        return self._fresh(store, env, hit[1])

    def load(self, store: Store, env: str, clique_id, load: Callable[[], CliqueData | None]) -> CliqueData | None:
        """Read the projection (`load()`), keep it for the environment's current change marker, and answer it."""
        marker = change_marker(store, env)
        data = load()
        if data is None:
            return None
        with self._lock:
            self._kept[(store.db.name, clique_id)] = (marker, data)
            while len(self._kept) > self.size:
                self._kept.popitem(last=False)
        return self._fresh(store, env, data)

    @staticmethod
    def _fresh(store: Store, env: str, data: CliqueData) -> CliqueData:
        objects = {d["_id"]: d for d in store["inventory"].find(FAILING, STATUS_FIELDS) if d.get("environment") == env}
        links = {d["_id"]: d for d in store["links"].find(FAILING, STATUS_FIELDS) if d.get("environment") == env}
        fresh_links = _overlay({l["_id"]: l for l in data.links}, links)
        return CliqueData(data.clique, data.focal, _overlay(data.objects, objects), list(fresh_links.values()))
