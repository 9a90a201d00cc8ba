"""Live-update streams are shared fairly: one user holds at most `per_user` of them (their oldest page
gives way, never another user's), and a stream ends soon after its page has gone."""

from __future__ import annotations

import time

from ui.apiclient import Api
from ui.live import LiveHub, sse_frames
from ui.sessions import Session


def _session(user: str) -> Session:
    return Session(sid=f"sid-{user}-{time.monotonic_ns()}", csrf="c", username=user, token="t")


def _hub(**kw) -> LiveHub:
    return LiveHub(Api("http://127.0.0.1:9", timeout=0.2), interval=60.0, **kw)   # nothing listens on port 9


def test_one_user_cannot_take_every_stream():
    hub = _hub(max_clients=10, per_user=3)
    mallory = [hub.subscribe(_session("mallory")) for _ in range(8)]
    assert all(mallory) and hub.clients == 3          # each new page closed her oldest one
    closed = [s for s in mallory if s not in hub._subs]
    assert len(closed) == 5 and all(("close", {}) in list(s.events.queue) for s in closed)
    others = [hub.subscribe(_session(f"user{i}")) for i in range(7)]
    assert all(others) and hub.clients == 10


def test_when_every_slot_is_taken_a_user_gives_way_with_their_own_oldest_page():
    hub = _hub(max_clients=4, per_user=3)
    a1, a2 = hub.subscribe(_session("ann")), hub.subscribe(_session("ann"))
    b1, b2 = hub.subscribe(_session("bob")), hub.subscribe(_session("bob"))
    a3 = hub.subscribe(_session("ann"))
    assert a3 is not None and a1 not in hub._subs and {a2, b1, b2} <= hub._subs
    assert hub.subscribe(_session("carol")) is None     # no page of hers to give way: full is full


def test_a_stream_ends_soon_after_its_page_has_gone():
    hub = _hub()
    sub = hub.subscribe(_session("ann"))
    gone = []
    frames = sse_frames(hub, sub, lifetime=60, gone=lambda: bool(gone), check=0.1)
    assert next(frames) == b"retry: 2000\n\n"
    gone.append(True)
    start = time.monotonic()
    rest = list(frames)
    assert time.monotonic() - start < 5 and sub not in hub._subs
    assert all(not f.startswith(b": keep-alive") for f in rest)
