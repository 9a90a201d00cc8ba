"""Live updates: one poller for every open page, fanned out to their event streams.

While at least one page listens, a single thread asks the API for each environment's change
marker (`/summary?counts=false`, a few indexed reads) once per `interval` for each signed-in
user with an open page (not once per page: fifty tabs of one operator cost one call a second).
When a marker moved, that user's pages get a `change` event at once (trees and graphs refetch
what they show), then a `summary` event with the recounted counters. The API going down or
coming back is an `api` event to every page; a token the API no longer accepts is a `session`
event to that session's pages.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

from ui.apiclient import Api, ApiDown, SessionExpired
from ui.sessions import Session

log = logging.getLogger(__name__)
REFUSED_GRACE = 5.0


CLOSE = ("close", {})   # tells a stream to end (its user opened more pages than they may hold)


@dataclass(eq=False)
class Subscriber:
    session: Session
    events: queue.Queue = field(default_factory=lambda: queue.Queue(maxsize=100))
    since: float = field(default_factory=time.monotonic)

    def send(self, name: str, data: dict) -> None:
        try:
            self.events.put_nowait((name, data))
        except queue.Full:  # a page that does not read loses old events, never blocks the poller
            try:
                self.events.get_nowait()
            except queue.Empty:
                pass
            self.events.put_nowait((name, data))


class LiveHub:
    """`max_clients` streams at once, at most `per_user` of them for one user: a user opening one more
    page closes their own oldest stream (that page reconnects when it is looked at again), so no user
    can take the slots of the others."""

    def __init__(self, api: Api, interval: float = 1.0, max_clients: int = 500, per_user: int = 12):
        self.api, self.interval, self.max_clients, self.per_user = api, interval, max_clients, max(1, per_user)
        self._subs: set[Subscriber] = set()
        self._last: dict[str, str] = {}          # username -> last summary sent (JSON text)
        self._versions: dict[str, dict] = {}     # username -> {environment: version}
        self._refused: dict[str, float] = {}     # token -> when the API first refused it
        self._payload: dict[str, dict] = {}
        self._api_up = True
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self.polls = 0                           # API calls made (for tests and the benchmark)

    # -- subscribers ---------------------------------------------------------------------------------
    def subscribe(self, session: Session) -> Subscriber | None:
        sub = Subscriber(session)
        with self._lock:
            mine = sorted((s for s in self._subs if s.session.username == session.username), key=lambda s: s.since)
            over = len(mine) - self.per_user + 1
            if over <= 0 and len(self._subs) >= self.max_clients and mine:
                over = 1           # all slots taken: this user's oldest page gives way, never another user's
            for old in mine[:max(0, over)]:
                self._subs.discard(old)
                old.send(*CLOSE)
            if len(self._subs) >= self.max_clients:
                return None
            self._subs.add(sub)
            known = self._payload.get(session.username or "")
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="calipso-ui-live", daemon=True)
                self._thread.start()
        sub.send("api", {"up": self._api_up})
        if known is not None:
            sub.send("summary", known)
        self._wake.set()
        return sub

    def unsubscribe(self, sub: Subscriber) -> None:
        with self._lock:
            self._subs.discard(sub)

    @property
    def clients(self) -> int:
        with self._lock:
            return len(self._subs)

    # -- polling -------------------------------------------------------------------------------------
    def _run(self) -> None:
        while True:
            with self._lock:
                subs = list(self._subs)
                if not subs:
                    self._thread = None
                    self._last.clear()
                    self._payload.clear()
                    self._versions.clear()
                    self._refused.clear()
                    return
            try:
                self.poll_once(subs)
            except Exception:  # the poller must outlive any one bad answer
                log.exception("live update poll failed")
            self._wake.wait(self.interval)
            self._wake.clear()

    def poll_once(self, subs: list[Subscriber]) -> None:
        by_user: dict[str, list[Subscriber]] = {}
        for s in subs:
            if s.session.signed_in:
                by_user.setdefault(s.session.username or "", []).append(s)
        for user, group in by_user.items():
            try:
                token, light = self._ask(group, "/summary", {"counts": "false"})
                if token is None:
                    continue
                versions = {e["name"]: e.get("version") for e in light.get("environments", [])}
                known = self._versions.get(user)
                self._versions[user] = versions
                if known is not None and versions == known and user in self._payload:
                    continue
                if known is not None:
                    for env, version in versions.items():
                        if known.get(env) != version:
                            for s in group:
                                s.send("change", {"environment": env, "version": version})
                self.polls += 1
                payload = self.api.get(token, "/summary")
            except SessionExpired:
                continue
            except ApiDown:
                self._set_api(False, subs)
                return
            self._set_api(True, subs)
            text = json.dumps(payload, sort_keys=True)
            if self._last.get(user) == text:
                continue
            self._last[user], self._payload[user] = text, payload
            for s in group:
                s.send("summary", payload)

    def _ask(self, group: list[Subscriber], path: str, params: dict) -> tuple[str | None, dict]:
        """One call with the first token of the group the API still accepts; pages of refused tokens are told."""
        for token in list(dict.fromkeys(s.session.token for s in group)):
            try:
                self.polls += 1
                return token, self.api.get(token, path, params)
            except SessionExpired:
                # told once refused for a few seconds: a password change swaps the token in between
                first = self._refused.setdefault(token, time.monotonic())
                if time.monotonic() - first >= REFUSED_GRACE:
                    for s in group:
                        if s.session.token == token:
                            s.send("session", {"expired": True})
        return None, {}

    def _set_api(self, up: bool, subs: list[Subscriber]) -> None:
        if up == self._api_up:
            return
        self._api_up = up
        log.warning("the API is %s", "back" if up else "not answering")
        for s in subs:
            s.send("api", {"up": up})


def sse_frames(hub: LiveHub, sub: Subscriber, lifetime: float, keepalive: float = 15.0,
               gone: Callable[[], bool] = lambda: False, check: float = 2.0):
    """The text/event-stream body for one page; ends after `lifetime` (the browser reconnects), when the
    hub closes it, or within `check` seconds of its client leaving (`gone()`)."""
    deadline = time.monotonic() + lifetime
    quiet_since = time.monotonic()
    try:
        yield b"retry: 2000\n\n"
        while time.monotonic() < deadline and not gone():
            try:
                name, data = sub.events.get(timeout=min(check, max(0.1, deadline - time.monotonic())))
            except queue.Empty:
                if time.monotonic() - quiet_since >= keepalive:
                    quiet_since = time.monotonic()
                    yield b": keep-alive\n\n"
                continue
            if (name, data) == CLOSE:
                return
            quiet_since = time.monotonic()
            yield f"event: {name}\ndata: {json.dumps(data, separators=(',', ':'))}\n\n".encode()
    finally:
        hub.unsubscribe(sub)
