"""What a worker read lately of environments' access lists and scan times, so that a request by env_name does
not read the environment from the store every time.

Only what access checks and /inventory's scan time need is kept (`name`, `auth`, `last_scanned`), for
`ttl` seconds, and only for environments that exist (a new one is seen at once). Any request that may write
(not GET, HEAD or OPTIONS) empties it when it is answered, so a change made through this worker (an
environment's `auth`, a user's rights, a deleted environment) is seen by its next request; a change made by
another worker, replica or the scanner is seen within `ttl`.
"""

from __future__ import annotations

import threading
import time
from typing import Callable

from app.store.store import Store

READS = frozenset(("GET", "HEAD", "OPTIONS"))


class EnvDirectory:
    FIELDS = ("last_scanned",)      # kept besides name and auth

    def __init__(self, store: Store, ttl: float, monotonic: Callable[[], float] = time.monotonic):
        self.coll = store["environments_config"]
        self.ttl, self.monotonic = ttl, monotonic
        self._kept: dict[str, tuple[float, dict]] = {}
        self._lock = threading.Lock()
        self._generation = 0

    def get(self, name: str) -> dict | None:
        """{name, auth, last_scanned} of the environment (a copy), None when there is none."""
        now = self.monotonic()
        with self._lock:
            kept, generation = self._kept.get(name), self._generation
        if kept is not None and kept[0] > now:
            return dict(kept[1])
        doc = self.coll.find_one({"name": name}, {"name": 1, "auth": 1, **{f: 1 for f in self.FIELDS}})
        if doc is not None and self.ttl > 0:
            with self._lock:
                if generation == self._generation:      # not emptied while it was read
                    if len(self._kept) >= 10000:
                        self._kept.clear()
                    self._kept[name] = (now + self.ttl, doc)
        return None if doc is None else dict(doc)

    def clear(self) -> None:
        with self._lock:
            self._kept.clear()
            self._generation += 1


class EnvDirectoryMiddleware:
    """Empties the directory once a request that may have written is answered."""

    def __init__(self, directory: EnvDirectory):
        self.directory = directory

    def process_response(self, req, resp, resource, req_succeeded: bool) -> None:
        if req.method not in READS:
            self.directory.clear()
