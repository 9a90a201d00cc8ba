"""Console sessions: the browser holds only a random session id; everything else is in the store.

Every visitor gets a session (anonymous until sign-in) so that the sign-in form too carries a
CSRF token. Signing in replaces the session id (no fixation); signing out, an idle timeout or an
administrator's `calipso user revoke` ends it. Sessions live in the store (app.console_sessions:
the cookie's hash, the API token sealed under a key only the cookie gives), so any console replica
behind a load balancer serves any request, and a restart signs nobody out. Each request reads its
session once by key; an idle session is prolonged at most once a minute, not written on every
request. `Session.data` is this replica's cache for the session (the environments menu), never shared.
"""

from __future__ import annotations

import secrets
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import timedelta, timezone

from app.console_sessions import ConsoleSessions, session_key
from app.store.keeper import is_unavailable
from ui.apiclient import ApiDown

ANONYMOUS_IDLE = 3600.0      # an anonymous session only carries the sign-in form's CSRF token
TOUCH_EVERY = timedelta(seconds=60)
PURGE_EVERY = 300.0
CACHED = 10_000


class StoreDown(ApiDown):
    """The store holding the sessions did not answer: the console says it is unavailable (503)."""


@dataclass
class Session:
    sid: str
    csrf: str
    username: str | None = None
    token: str | None = None
    admin: bool = False
    data: dict = field(default_factory=dict)

    @property
    def signed_in(self) -> bool:
        return self.token is not None


class Sessions:
    def __init__(self, stored: ConsoleSessions, idle: float):
        self.stored, self.idle = stored, idle
        self._data: OrderedDict[str, dict] = OrderedDict()
        self._lock = threading.Lock()
        self._purged = 0.0

    def _local(self, sid: str) -> dict:
        key = session_key(sid)
        with self._lock:
            data = self._data.pop(key, None) or {}
            self._data[key] = data
            while len(self._data) > CACHED:
                self._data.popitem(last=False)
        return data

    def _guarded(self, fn):
        try:
            return fn()
        except Exception as e:
            if is_unavailable(e):
                raise StoreDown(f"the console's session store is not answering ({type(e).__name__})") from None
            raise

    def create(self) -> Session:
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32))
        self._guarded(lambda: self.stored.insert(s.sid, s.csrf, min(self.idle, ANONYMOUS_IDLE)))
        self._purge()
        return s

    def get(self, sid: str | None) -> Session | None:
        if not sid or len(sid) > 128:
            return None
        doc = self._guarded(lambda: self.stored.find(sid))
        if doc is None:
            return None
        seen = doc["seen"] if doc["seen"].tzinfo else doc["seen"].replace(tzinfo=timezone.utc)
        if doc.get("username") is not None and seen + TOUCH_EVERY <= self.stored.clock():
            self._guarded(lambda: self.stored.touch(sid, self.idle))
        return Session(sid, doc["csrf"], doc.get("username"), doc.get("token"), bool(doc.get("admin")),
                       self._local(sid))

    def sign_in(self, old: Session | None, username: str, token: str, admin: bool) -> Session:
        """A fresh session (new id and CSRF token) for the user; the old one is dropped."""
        s = Session(secrets.token_urlsafe(32), secrets.token_urlsafe(32), username, token, admin)
        self._guarded(lambda: self.stored.insert(s.sid, s.csrf, self.idle, username, token, admin))
        if old is not None:
            self.drop(old)
        s.data = self._local(s.sid)
        return s

    def set_token(self, session: Session, token: str) -> None:
        """The session's API token replaced (a password change), for every replica."""
        self._guarded(lambda: self.stored.set_token(session.sid, token))
        session.token = token

    def sign_out_in_place(self, session: Session) -> None:
        """A session whose API token was refused goes on anonymous under the same cookie and CSRF token:
        the page's other requests, refused at the same moment, then agree on one session (a new cookie
        from each would leave the sign-in form holding another session's token)."""
        self._guarded(lambda: self.stored.sign_out(session.sid, min(self.idle, ANONYMOUS_IDLE)))
        session.username, session.token, session.admin = None, None, False
        with self._lock:
            self._data.pop(session_key(session.sid), None)
        session.data = self._local(session.sid)

    def drop(self, session: Session) -> None:
        self._guarded(lambda: self.stored.delete(session.sid))
        with self._lock:
            self._data.pop(session_key(session.sid), None)

    def _purge(self) -> None:
        """Expired sessions deleted now and then (the embedded store ignores TTL indexes)."""
        now = time.monotonic()
        if now - self._purged < PURGE_EVERY:
            return
        self._purged = now
        try:
            self.stored.purge_expired()
        except Exception as e:
            if not is_unavailable(e):
                raise
