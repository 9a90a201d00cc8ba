"""Failed logins slow their sender down: per user name and per client address, with doubling lockouts.

After `free` failures, each further failure locks the key for base × 2^(failures - free) seconds (capped);
while locked, a login for that key is refused with 429 and Retry-After *before* any password is checked,
so guessing costs the server nothing. Failures are forgotten after `window` quiet seconds. The counts
live in the store (`login_failures`, keyed by a hash: no attacker-chosen text is kept), so every API
worker and instance shares them.
"""

from __future__ import annotations

import hashlib
import math
import time
from dataclasses import dataclass
from typing import Callable

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

    def _keys(self, username: str, address: str | None) -> list[tuple[str, int]]:
        keys = [(_key("user", username), self.policy.free_per_user)]
        if address:
            keys.append((_key("addr", address), self.policy.free_per_address))
        return keys

    def check(self, username: str, address: str | None) -> None:
        """Raise 429 (with Retry-After) while this user name or address is locked out."""
        now = self.clock()
        ids = [k for k, _ in self._keys(username, address)]
        wait = 0.0
        for doc in self.coll.find({"_id": {"$in": ids}}):
            if now - doc.get("last", 0) > self.policy.window:
                continue
            wait = max(wait, doc.get("locked_until", 0) - now)
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise ApiError(429, f"Too many failed logins for this user or from this address; retry in {seconds} s",
                           headers={"Retry-After": str(seconds)})

    def failed(self, username: str, address: str | None) -> None:
        now = self.clock()
        for key, free in self._keys(username, address):
            doc = self.coll.find_one({"_id": key}) or {}
            count = 1 if now - doc.get("last", 0) > self.policy.window else doc.get("failures", 0) + 1
            locked = now + min(self.policy.max, self.policy.base * 2 ** (count - free - 1)) if count > free else 0
            self.coll.update_one({"_id": key}, {"$set": {"failures": count, "last": now, "locked_until": locked}},
                                 upsert=True)

    def succeeded(self, username: str) -> None:
        """A good password clears its user's count (not its address's: one good account must not
        let an address go on guessing the others)."""
        self.coll.delete_one({"_id": _key("user", username)})
