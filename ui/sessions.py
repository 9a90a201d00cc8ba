"""Server-side sessions: the browser holds only a random session id; the API token stays here.

Every visitor gets a session (anonymous until sign-in) so that the sign-in form too carries a
CSRF token. Signing in replaces the session id (no fixation); signing out or an idle timeout
forgets it. Sessions live in this process's memory: `calipso ui` runs one worker process with
threads, and a restart asks everyone to sign in again.
"""

from __future__ import annotations

import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

ANONYMOUS_CAP = 10_000


@dataclass
class Session:
    sid: str
    csrf: str
    created: float
    seen: float
    username: str | None = None
    token: str | None = None
    admin: bool = False
    data: dict = field(default_factory=dict)

    @property
    def signed_in(self) -> bool:
        return self.token is not None


class Sessions:
    def __init__(self, idle: float, clock: Callable[[], float] = time.monotonic):
        self.idle, self.clock = idle, clock
        self._by_sid: dict[str, Session] = {}
        self._lock = threading.Lock()

    def _new(self) -> Session:
        now = self.clock()
        return Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), now, now)

    def create(self) -> Session:
        s = self._new()
        with self._lock:
            self._prune()
            self._by_sid[s.sid] = s
        return s

    def get(self, sid: str | None) -> Session | None:
        if not sid:
            return None
        with self._lock:
            s = self._by_sid.get(sid)
            if s is None:
                return None
            now = self.clock()
            if now - s.seen > self.idle:
                del self._by_sid[sid]
                return None
            s.seen = now
            return s

    def sign_in(self, old: Session | None, username: str, token: str, admin: bool) -> Session:
        """A fresh session (new id and CSRF token) for the user; the old one is dropped."""
        s = self._new()
        s.username, s.token, s.admin = username, token, admin
        if old is not None:
            s.data["next"] = old.data.get("next")
        with self._lock:
            if old is not None:
                self._by_sid.pop(old.sid, None)
            self._by_sid[s.sid] = s
        return s

    def drop(self, session: Session) -> None:
        with self._lock:
            self._by_sid.pop(session.sid, None)

    def signed_in(self) -> list[Session]:
        with self._lock:
            return [s for s in self._by_sid.values() if s.signed_in]

    def _prune(self) -> None:
        now = self.clock()
        for sid in [sid for sid, s in self._by_sid.items() if now - s.seen > self.idle]:
            del self._by_sid[sid]
        anonymous = [s for s in self._by_sid.values() if not s.signed_in]
        if len(anonymous) >= ANONYMOUS_CAP:
            for s in sorted(anonymous, key=lambda s: s.seen)[: len(anonymous) - ANONYMOUS_CAP + 1]:
                del self._by_sid[s.sid]
