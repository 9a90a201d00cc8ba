"""API tokens: random, stored as SHA-256 hashes in `api_tokens`, expiring.

The response to POST /auth/tokens has the original shape (token, method, issued_at,
expires_at); the store only ever sees the hash. A token renewed with the token method gets a
fresh lifetime but never outlives the session it came from (`max_session`).
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta, timezone

from app.clock import Clock, utcnow
from app.logs import register_secret
from app.store.store import Store


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()


def _aware(d: datetime) -> datetime:
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


class TokenError(Exception):
    pass


class Tokens:
    def __init__(self, store: Store, lifetime: int = 86400, max_session: int = 7 * 86400, clock: Clock = utcnow):
        self.coll = store["api_tokens"]
        self.lifetime = timedelta(seconds=lifetime)
        self.max_session = timedelta(seconds=max_session)
        self.clock = clock

    def issue(self, username: str, method: str, session_start: datetime | None = None) -> dict:
        now = self.clock()
        start = _aware(session_start) if session_start else now
        expires = min(now + self.lifetime, start + self.max_session)
        token = secrets.token_hex(16)  # 32 hex characters, as the original
        register_secret(token)
        self.coll.insert_one({"token": token_hash(token), "method": method, "username": username,
                              "issued_at": now, "expires_at": expires, "session_start": start})
        self.purge_expired()
        return {"token": token, "method": method, "issued_at": now, "expires_at": expires}

    def validate(self, token: str) -> dict:
        """The stored token document, or TokenError saying why not."""
        if not isinstance(token, str) or not token or len(token) > 256:
            raise TokenError("Token doesn't exist")
        doc = self.coll.find_one({"token": token_hash(token)})
        if doc is None:
            raise TokenError("Token doesn't exist")
        if _aware(doc["expires_at"]) <= self.clock():
            raise TokenError("Token has expired")
        return doc

    def revoke(self, token: str) -> bool:
        return self.coll.delete_one({"token": token_hash(token)}).deleted_count == 1

    def revoke_user(self, username: str) -> int:
        return self.coll.delete_many({"username": username}).deleted_count

    def purge_expired(self) -> int:
        return self.coll.delete_many({"expires_at": {"$lte": self.clock()}}).deleted_count
