"""Failed logins slow their sender down: per user name and per client address, with doubling lockouts.

After `free` failures, the key is locked for base × 2^(failures - free - 1) seconds (capped); while
locked, a login for that key is refused with 429 and Retry-After *before* any password is checked, so
guessing costs the server nothing. Failures are forgotten after `window` quiet seconds. The counts
live in the store (`login_failures`, keyed by a hash: no attacker-chosen text is kept), so every API
worker and instance shares them.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Callable

from pymongo import ReturnDocument

from api.errors import ApiError
from app.store.store import Store


@dataclass(frozen=True)
class LoginPolicy:
    free_per_user: int = 5
    free_per_address: int = 20
    base: float = 1.0          # seconds of the first lockout
    max: float = 300.0         # longest lockout
    window: float = 900.0      # failures older than this (with none since) are forgotten


def _key(kind: str, value: str) -> str:
    return kind + "|" + hashlib.sha256(value.encode("utf-8", "surrogatepass")).hexdigest()


class LoginLimiter:
    def __init__(self, store: Store, policy: LoginPolicy | None = None, clock: Callable[[], float] = time.time):
        self.coll = store["login_failures"]
        self.policy = policy or LoginPolicy()
        self.clock = clock
        self._locked: dict[str, float] = {}   # key -> until: refused here again without asking the store

    def _keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(_key("user", username), self.policy.free_per_user)]
        if address:
            keys.append((_key("addr", address), self.policy.free_per_address))
        return keys

    def attempt(self, username: str, address: str | None) -> None:
        """Count a login attempt (as a failure until `succeeded` says otherwise) before any password is
        checked; raise 429 with Retry-After when its user name or address is over its free failures and
        locked. Once locked, one attempt per lockout period goes through (atomically claimed, so a burst
        of concurrent guesses cannot all slip through when a lockout ends), each doubling the next."""
        now = self.clock()
        keys = self._keys(username, address)
        self.refuse_if_known_locked(username, address)
        wait = 0.0
        for key, free in keys:
            self.coll.update_one({"_id": key, "last": {"$lt": now - self.policy.window}},
                                 {"$set": {"failures": 0, "locked_until": 0}})     # quiet long enough: forgotten
            doc = self.coll.find_one_and_update({"_id": key}, {"$inc": {"failures": 1}, "$set": {"last": now}},
                                                upsert=True, return_document=ReturnDocument.AFTER)
            count = doc.get("failures", 1)
            if count <= free:
                continue
            lock = min(self.policy.max, self.policy.base * 2 ** (count - free - 1))
            claimed = self.coll.update_one({"_id": key, "locked_until": {"$lte": now}},
                                           {"$set": {"locked_until": now + lock}}).modified_count
            if not claimed:
                until = doc.get("locked_until") or now + lock
                if len(self._locked) > 10000:
                    self._locked = {k: u for k, u in self._locked.items() if u > now}
                self._locked[key] = until
                wait = max(wait, until - now)
        if wait > 0:
            self._refuse(wait)

    def refuse_if_known_locked(self, username: str, address: str | None) -> None:
        """429 at once, without a store round trip, for a lockout this worker has already seen."""
        now = self.clock()
        known = max((self._locked.get(key, 0) for key, _ in self._keys(username, address)), default=0)
        if known > now:
            self._refuse(known - now)

    @staticmethod
    def _refuse(wait: float) -> None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(429, f"Too many failed logins for this user or from this address; retry in {seconds} s",
                       headers={"Retry-After": str(seconds)})

    def succeeded(self, username: str, address: str | None) -> None:
        """A good password clears its user's count, and takes its own attempt off its address's (not more:
        one good account must not let an address go on guessing the others)."""
        self.coll.delete_one({"_id": _key("user", username)})
        self._locked.pop(_key("user", username), None)
        if address:
            self.coll.update_one({"_id": _key("addr", address), "failures": {"$gt": 0}}, {"$inc": {"failures": -1}})
