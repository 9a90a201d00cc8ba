"""Issued Keystone tokens: opaque random ids, valid for every service and API version until expiry."""

from __future__ import annotations

import secrets
import threading
from datetime import datetime, timedelta, timezone

TOKEN_LIFETIME = timedelta(hours=24)


class TokenStore:
    def __init__(self, clock=None):
        self._tokens: dict[str, dict] = {}
        self._lock = threading.Lock()
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self.keystone_url = ""

    def issue(self, user, project) -> dict:
        now = self._clock()
        token = {"id": "gAAAAAB" + secrets.token_urlsafe(96)[:176], "user": user, "project": project,
                 "issued_at": now, "expires_at": now + TOKEN_LIFETIME}
        with self._lock:
            self._tokens[token["id"]] = token
        return token

    def check(self, token_id: str | None) -> dict | None:
        if not token_id:
            return None
        with self._lock:
            token = self._tokens.get(token_id)
        if token is None or token["expires_at"] <= self._clock():
            return None
        return token

    def revoke(self, token_id: str) -> bool:
        with self._lock:
            return self._tokens.pop(token_id, None) is not None


def iso(dt: datetime, micro: bool = True) -> str:
    return dt.strftime("%Y-%m-%dT%H:%M:%S.%fZ" if micro else "%Y-%m-%dT%H:%M:%SZ")
