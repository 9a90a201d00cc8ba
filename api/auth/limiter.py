"""Failed logins slow down their sender, not their victim: failures are counted per (user name, client
address) and per client address, never per user name alone, so nobody elsewhere can lock a user out.

Only a wrong password counts (checked first: a right one is never counted nor refused for failures
that came from elsewhere). After `free` failures a key is locked for base × 2^(failures - free - 1)
seconds (capped); while it is locked, a login through it is refused with 429 and Retry-After *before*
any password is checked, so guessing costs the server no bcrypt. Failures are forgotten after `window`
quiet seconds. Counts live in the store (`login_failures`, keyed by a hash: no attacker-chosen text is
kept), so every API worker and instance shares them; a lock once seen is refused from memory.
"""

from __future__ import annotations

import hashlib
import math
import threading
import time
from dataclasses import dataclass
from typing import Callable

from pymongo import ReturnDocument

from api.errors import ApiError
from app.store.store import Store


@dataclass(frozen=True)
class LoginPolicy:
    free_per_pair: int = 5       # failures for one user name from one address before a lockout
    free_per_address: int = 20   # failures from one address (any user names) before a lockout
    base: float = 1.0            # seconds of the first lockout
    max: float = 300.0           # longest lockout
    window: float = 900.0        # failures older than this (with none since) are forgotten


def _key(kind: str, *values: str) -> str:
    return kind + "|" + hashlib.sha256("\0".join(values).encode("utf-8", "surrogatepass")).hexdigest()


class LoginLimiter:
    def __init__(self, store: Store, policy: LoginPolicy | None = None, clock: Callable[[], float] = time.time):
        self.coll = store["login_failures"]
        self.policy = policy or LoginPolicy()
        self.clock = clock
        self._locked: dict[str, float] = {}   # key -> until: refused here again without asking the store
        self._lock = threading.Lock()

    def _keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        address = address or ""
        keys = [(_key("pair", username, address), self.policy.free_per_pair)]
        if address:
            keys.append((_key("addr", address), self.policy.free_per_address))
        return keys

    def check(self, username: str, address: str | None) -> None:
        """Before a password is checked: 429 while this user name from this address, or this address,
        is locked out (from memory when this worker saw the lock, else one indexed read)."""
        now = self.clock()
        keys = [k for k, _ in self._keys(username, address)]
        with self._lock:
            known = max((self._locked.get(k, 0.0) for k in keys), default=0.0)
        if known > now:
            self._refuse(known - now)
        until = max((d.get("locked_until") or 0.0 for d in self.coll.find({"_id": {"$in": keys}}, {"locked_until": 1})),
                    default=0.0)
        if until > now:
            for k in keys:
                self._remember(k, until, now)
            self._refuse(until - now)

    def failed(self, username: str, address: str | None) -> None:
        """A wrong password: count it on both keys; a key over its free failures is locked, doubling."""
        now = self.clock()
        for key, free in self._keys(username, address):
            self.coll.update_one({"_id": key, "last": {"$lt": now - self.policy.window}},
                                 {"$set": {"failures": 0, "locked_until": 0.0}})   # quiet long enough: forgotten
            doc = self.coll.find_one_and_update({"_id": key}, {"$inc": {"failures": 1}, "$set": {"last": now}},
                                                upsert=True, return_document=ReturnDocument.AFTER)
            count = doc.get("failures", 1)
            if count <= free:
                continue
            until = now + min(self.policy.max, self.policy.base * 2 ** min(count - free - 1, 30))
            self.coll.update_one({"_id": key}, {"$set": {"locked_until": until}})   # grows with the count
            self._remember(key, until, now)

    def succeeded(self, username: str, address: str | None) -> None:
        """A right password clears its own (user name, address) failures; the address's count stays (one
        good account must not let an address go on guessing the others)."""
        key = self._keys(username, address)[0][0]
        self.coll.delete_one({"_id": key})
        with self._lock:
            self._locked.pop(key, None)

    def _remember(self, key: str, until: float, now: float) -> None:
        with self._lock:
            if len(self._locked) > 10000:
                self._locked = {k: u for k, u in self._locked.items() if u > now}
            self._locked[key] = max(until, self._locked.get(key, 0.0))

    @staticmethod
    def _refuse(wait: float) -> None:
        seconds = max(1, math.ceil(wait))
        raise ApiError(429, f"Too many failed logins from this address; retry in {seconds} s",
                       headers={"Retry-After": str(seconds)})
