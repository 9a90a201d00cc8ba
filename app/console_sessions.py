"""Web console sessions as the store keeps them (`console_sessions`): every console replica reads the same
ones, and a restart keeps them.

The browser's cookie is a random token; the store holds only its SHA-256 (`_id`), as API tokens are held.
The API token the console holds for a signed-in user is stored encrypted (Fernet: AES-128-CBC and an
HMAC-SHA256) under a key derived from the cookie itself, so a copy of the store, a backup or a reader of
the collection never yields a usable API token: only a request that bears the cookie can open it. No key
has to be shared between consoles or kept on disk, and a session revoked (its document deleted) leaves
nothing to decrypt. Expiry is checked on every read; a TTL index on `expires` lets MongoDB delete the
expired documents by itself (the embedded store keeps the index but does not expire: `purge_expired`).
Signing out deletes the session; `revoke_user` deletes every session of a user.
"""

from __future__ import annotations

import base64
import hashlib
from datetime import datetime, timedelta, timezone

from bson import Binary
from cryptography.fernet import Fernet, InvalidToken

from app.clock import Clock, utcnow
from app.store.store import Store

COLLECTION = "console_sessions"


def session_key(cookie: str) -> str:
    """What the store knows a session by: the SHA-256 of its cookie."""
    return hashlib.sha256(b"calipso console session\0" + cookie.encode("utf-8", "surrogatepass")).hexdigest()


def _fernet(cookie: str) -> Fernet:
    key = hashlib.sha256(b"calipso console token key\0" + cookie.encode("utf-8", "surrogatepass")).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def seal(cookie: str, token: str) -> Binary:
    return Binary(_fernet(cookie).encrypt(token.encode()))


def unseal(cookie: str, sealed) -> str | None:
    try:
        return _fernet(cookie).decrypt(bytes(sealed)).decode()
    except (InvalidToken, TypeError, ValueError):
        return None


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


class ConsoleSessions:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store[COLLECTION]
        self.clock = clock

    def insert(self, cookie: str, csrf: str, idle: float, username: str | None = None, token: str | None = None,
               admin: bool = False) -> datetime:
        now = self.clock()
        expires = now + timedelta(seconds=idle)
        self.coll.insert_one({"_id": session_key(cookie), "csrf": csrf, "created": now, "seen": now,
                              "expires": expires, "username": username, "admin": admin,
                              "token": seal(cookie, token) if token is not None else None})
        return expires

    def find(self, cookie: str) -> dict | None:
        """The live session of this cookie (its API token opened as `token`), or None."""
        doc = self.coll.find_one({"_id": session_key(cookie)})
        if doc is None:
            return None
        if _aware(doc["expires"]) <= self.clock():
            self.coll.delete_one({"_id": doc["_id"]})
            return None
        doc["token"] = unseal(cookie, doc["token"]) if doc.get("token") is not None else None
        return doc

    def touch(self, cookie: str, idle: float) -> None:
        now = self.clock()
        self.coll.update_one({"_id": session_key(cookie)},
                             {"$set": {"seen": now, "expires": now + timedelta(seconds=idle)}})

    def set_token(self, cookie: str, token: str) -> None:
        self.coll.update_one({"_id": session_key(cookie)}, {"$set": {"token": seal(cookie, token)}})

    def sign_out(self, cookie: str, idle: float) -> None:
        """The session kept (same cookie, same CSRF token) without its user and API token."""
        now = self.clock()
        self.coll.update_one({"_id": session_key(cookie)}, {"$set": {
            "username": None, "admin": False, "token": None, "seen": now, "expires": now + timedelta(seconds=idle)}})

    def delete(self, cookie: str) -> None:
        self.coll.delete_one({"_id": session_key(cookie)})

    def revoke_user(self, username: str) -> int:
        """Sign a user out of every console (all replicas): their sessions are gone at the next request."""
        return self.coll.delete_many({"username": username}).deleted_count

    def purge_expired(self) -> int:
        return self.coll.delete_many({"expires": {"$lte": self.clock()}}).deleted_count
