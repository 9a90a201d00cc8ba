"""A short-lived memory of Basic credentials already verified, so a client sending them with every
request does not cost a bcrypt check (hundreds of ms of CPU) each time.

Entries are keyed by a keyed hash (HMAC with a per-process random key) of user name and password:
neither is kept. An entry also holds the password hash it was verified against, so a password
change ends it at once; whether the user is disabled or an admin is read fresh on every request.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import threading
import time
from typing import Callable


class VerifiedCredentials:
    def __init__(self, ttl: float = 60.0, max_entries: int = 10000, clock: Callable[[], float] = time.monotonic):
        self.ttl, self.max_entries, self.clock = ttl, max_entries, clock
        self._key = secrets.token_bytes(32)
        self._entries: dict[bytes, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def _id(self, username: str, password: str) -> bytes:
        msg = username.encode("utf-8", "surrogatepass") + b"\0" + password.encode("utf-8", "surrogatepass")
        return hmac.new(self._key, msg, hashlib.sha256).digest()

    def hash_for(self, username: str, password: str) -> str | None:
        """The password hash these credentials were verified against within `ttl` (None: not known)."""
        key = self._id(username, password)
        with self._lock:
            entry = self._entries.get(key)
            if entry is None:
                return None
            expires, against = entry
            if expires <= self.clock():
                del self._entries[key]
                return None
            return against

    def remember(self, username: str, password: str, password_hash: str) -> None:
        with self._lock:
            if len(self._entries) >= self.max_entries:
                now = self.clock()
                self._entries = {k: v for k, v in self._entries.items() if v[0] > now}
                if len(self._entries) >= self.max_entries:
                    self._entries.clear()
            self._entries[self._id(username, password)] = (self.clock() + self.ttl, password_hash)
