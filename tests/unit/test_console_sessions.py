"""Console sessions in the store: two replicas share them, they expire and can be revoked, and the store
never holds the cookie nor a usable API token."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import bson
import mongomock
import pytest

from app.console_sessions import ConsoleSessions, seal, session_key, unseal
from app.store.store import Store
from ui.sessions import ANONYMOUS_IDLE, Sessions

TOKEN = "0123456789abcdef0123456789abcdef"


class Clock:
    def __init__(self):
        self.now = datetime(2030, 1, 1, tzinfo=timezone.utc)

    def __call__(self):
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += timedelta(seconds=seconds)


@pytest.fixture
def replicas():
    client = mongomock.MongoClient(tz_aware=True)
    store = Store(client, client["calipso"])
    clock = Clock()
    a, b = (Sessions(ConsoleSessions(store, clock), idle=3600) for _ in range(2))
    return a, b, store, clock


def test_a_session_signed_in_on_one_replica_is_signed_in_on_the_other(replicas):
    a, b, _, _ = replicas
    s = a.sign_in(a.create(), "alice", TOKEN, admin=False)
    seen = b.get(s.sid)
    assert seen.signed_in and (seen.username, seen.token, seen.admin, seen.csrf) == ("alice", TOKEN, False, s.csrf)
    b.set_token(seen, "f" * 32)               # a password change on the other replica
    assert a.get(s.sid).token == "f" * 32


def test_the_store_holds_neither_the_cookie_nor_the_api_token(replicas):
    a, _, store, _ = replicas
    s = a.sign_in(None, "alice", TOKEN, admin=True)
    docs = list(store["console_sessions"].find({}))
    raw = b"".join(bson.encode(d) for d in docs)
    assert len(docs) == 1 and docs[0]["_id"] == session_key(s.sid)
    assert s.sid.encode() not in raw and TOKEN.encode() not in raw
    assert unseal("another cookie", docs[0]["token"]) is None        # only the cookie opens it
    assert unseal(s.sid, docs[0]["token"]) == TOKEN


def test_sign_in_replaces_the_anonymous_session(replicas):
    a, b, store, _ = replicas
    anon = a.create()
    assert not b.get(anon.sid).signed_in
    s = a.sign_in(anon, "alice", TOKEN, admin=False)
    assert s.sid != anon.sid and s.csrf != anon.csrf and b.get(anon.sid) is None
    assert store["console_sessions"].count_documents({}) == 1


def test_idle_sessions_expire_and_activity_keeps_them(replicas):
    a, b, store, clock = replicas
    s = a.sign_in(None, "alice", TOKEN, admin=False)
    for _ in range(3):                          # used every 50 minutes: alive after 2.5 hours
        clock.advance(3000)
        assert b.get(s.sid) is not None
    clock.advance(3601)
    assert a.get(s.sid) is None and store["console_sessions"].count_documents({}) == 0
    anon = a.create()
    clock.advance(ANONYMOUS_IDLE + 1)
    assert b.get(anon.sid) is None


def test_sign_out_and_revocation_end_sessions_on_every_replica(replicas):
    a, b, _, _ = replicas
    s1 = a.sign_in(None, "alice", TOKEN, admin=False)
    s2 = b.sign_in(None, "alice", TOKEN, admin=False)
    other = a.sign_in(None, "bruno", TOKEN, admin=False)
    b.drop(b.get(s1.sid))
    assert a.get(s1.sid) is None and a.get(s2.sid) is not None
    assert ConsoleSessions(_store(a)).revoke_user("alice") == 1
    assert a.get(s2.sid) is None and b.get(s2.sid) is None and b.get(other.sid).username == "bruno"


def _store(sessions: Sessions) -> Store:
    coll = sessions.stored.coll
    return Store(coll.database.client, coll.database)


def test_unknown_or_absurd_cookies_are_strangers(replicas):
    a, _, _, _ = replicas
    assert a.get(None) is None and a.get("") is None and a.get("x" * 500) is None
    assert a.get("a-cookie-nobody-was-given") is None


def test_sealed_tokens_differ_each_time():
    assert seal("c", TOKEN) != seal("c", TOKEN)


def test_a_refused_token_signs_the_session_out_in_place_on_every_replica(replicas):
    """The page's requests that learn at once that the API token is gone agree on one anonymous session:
    the same cookie and CSRF token (the sign-in form rendered by one stays valid for the others)."""
    a, b, store, _ = replicas
    s = a.sign_in(a.create(), "alice", TOKEN, False)
    on_b = b.get(s.sid)
    a.sign_out_in_place(a.get(s.sid))
    b.sign_out_in_place(on_b)            # a second request of the same page, on the other replica
    for replica in (a, b):
        again = replica.get(s.sid)
        assert again is not None and (again.sid, again.csrf) == (s.sid, s.csrf)
        assert not again.signed_in and again.username is None
    assert store["console_sessions"].find_one({"_id": session_key(s.sid)})["token"] is None
