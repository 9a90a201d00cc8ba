"""API users in the `users` collection, with bcrypt password hashes.

A user either has a local password (`password_hash`) or is authenticated by LDAP
(`backend: "ldap"`, no hash); the document also says whether they are an admin.
"""

from __future__ import annotations

import logging
import re
import secrets
import threading
import time
from typing import Callable

import bcrypt
from pymongo.errors import DuplicateKeyError

from app.clock import Clock, utcnow
from app.errors import CalipsoError
from app.logs import register_secret
from app.store.store import Store

log = logging.getLogger(__name__)

USERNAME_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$")
MIN_PASSWORD = 8
BACKENDS = ("local", "ldap")
FIRST_ADMIN = "admin"   # created at first start; never disabled nor deleted
# bcrypt only reads 72 bytes; longer passwords are pre-hashed so every byte counts
_PREHASH_OVER = 72


class UserError(CalipsoError):
    """A user cannot be created or changed as asked."""


def _pw_bytes(password: str) -> bytes:
    raw = password.encode("utf-8")
    if len(raw) > _PREHASH_OVER:
        import base64
        import hashlib
        raw = base64.b64encode(hashlib.sha256(raw).digest())
    return raw


def check_username(name: str) -> None:
    if not isinstance(name, str) or not USERNAME_RE.match(name):
        raise UserError(f"invalid user name {name!r}: 1-64 letters, digits, '_', '.', '@' or '-', "
                        "starting with a letter or digit")


def check_password(password: str) -> None:
    if not isinstance(password, str) or len(password) < MIN_PASSWORD:
        raise UserError(f"the password must have at least {MIN_PASSWORD} characters")


def public_user(doc: dict) -> dict:
    """What may be shown of a user: never the hash."""
    return {"username": doc["username"], "admin": bool(doc.get("admin")), "backend": doc.get("backend", "local"),
            "disabled": bool(doc.get("disabled")), "created_at": doc.get("created_at")}


class Users:
    """`standing_ttl`: seconds `standing` answers from what it read lately (0: always from the store)."""

    def __init__(self, store: Store, rounds: int = 12, clock: Clock = utcnow, standing_ttl: float = 0.0,
                 monotonic: Callable[[], float] = time.monotonic):
        self.coll = store["users"]
        self.rounds = rounds
        self.clock = clock
        self._dummy_hash: bytes | None = None
        self.standing_ttl, self.monotonic = standing_ttl, monotonic
        self._standing: dict[str, tuple[float, dict | None]] = {}
        self._standing_lock = threading.Lock()
        self._generation = 0      # changes made through this object (what was read before one is not kept)

    @property
    def _dummy(self) -> bytes:
        """A hash of the same cost as real ones, checked when the user does not exist: same timing."""
        if self._dummy_hash is None:
            self._dummy_hash = bcrypt.hashpw(b"not-a-password", bcrypt.gensalt(rounds=self.rounds))
        return self._dummy_hash

    def hash(self, password: str) -> str:
        return bcrypt.hashpw(_pw_bytes(password), bcrypt.gensalt(rounds=self.rounds)).decode("ascii")

    def add(self, username: str, password: str | None = None, admin: bool = False, backend: str = "local") -> dict:
        check_username(username)
        if backend not in BACKENDS:
            raise UserError(f"unknown backend {backend!r} (known: {', '.join(BACKENDS)})")
        doc = {"username": username, "admin": bool(admin), "backend": backend, "created_at": self.clock()}
        if backend == "local":
            check_password(password or "")
            register_secret(password)
            doc["password_hash"] = self.hash(password)
        try:
            self.coll.insert_one(doc)
        except DuplicateKeyError:
            raise UserError(f"user {username!r} already exists") from None
        self._changed(username)
        log.info("user %s added (%s%s)", username, backend, ", admin" if admin else "")
        return doc

    def get(self, username: str) -> dict | None:
        if not isinstance(username, str):
            return None
        return self.coll.find_one({"username": username})

    def standing(self, username: str) -> dict | None:
        """`{"admin": .., "disabled": ..}` of the user (None: no such user), as read at most `standing_ttl`
        seconds ago by this process: what a request by token needs of its user, without a store read per
        request. A change made through this object is seen at once; one made by another worker or replica
        within `standing_ttl`. (What must end access at once, disabling, deleting, a new password, also
        revokes the user's tokens, which are read on every request.)"""
        if not isinstance(username, str):
            return None
        now = self.monotonic()
        with self._standing_lock:
            kept, generation = self._standing.get(username), self._generation
        if kept is not None and kept[0] > now:
            return kept[1]
        doc = self.coll.find_one({"username": username}, {"admin": 1, "disabled": 1})
        found = None if doc is None else {"admin": bool(doc.get("admin")), "disabled": bool(doc.get("disabled"))}
        if self.standing_ttl > 0:
            with self._standing_lock:
                if generation != self._generation:     # changed here while it was read: not kept
                    return found
                if len(self._standing) >= 10000:
                    self._standing.clear()
                self._standing[username] = (now + self.standing_ttl, found)
        return found

    def _changed(self, username: str) -> None:
        with self._standing_lock:
            self._standing.pop(username, None)
            self._generation += 1

    def list(self) -> list[dict]:
        return list(self.coll.find({}).sort("username", 1))

    def count(self) -> int:
        return self.coll.estimated_document_count()

    def set_password(self, username: str, password: str) -> None:
        check_password(password)
        register_secret(password)
        res = self.coll.update_one({"username": username},
                                   {"$set": {"password_hash": self.hash(password), "backend": "local"}})
        self._changed(username)
        if res.matched_count == 0:
            raise UserError(f"no user {username!r}")
        log.info("password of user %s changed", username)

    def set_admin(self, username: str, admin: bool) -> None:
        res = self.coll.update_one({"username": username}, {"$set": {"admin": bool(admin)}})
        self._changed(username)
        if res.matched_count == 0:
            raise UserError(f"no user {username!r}")

    def set_disabled(self, username: str, disabled: bool) -> None:
        if username == FIRST_ADMIN and disabled:
            raise UserError(f"the {FIRST_ADMIN} user cannot be disabled")
        res = self.coll.update_one({"username": username}, {"$set": {"disabled": bool(disabled)}})
        self._changed(username)
        if res.matched_count == 0:
            raise UserError(f"no user {username!r}")
        log.info("user %s %s", username, "disabled" if disabled else "enabled")

    def delete(self, username: str) -> bool:
        deleted = self.coll.delete_one({"username": username}).deleted_count == 1
        self._changed(username)
        return deleted

    def verify(self, username: str, password: str) -> dict | None:
        """The user document when the local password matches, else None (constant-ish time)."""
        doc = self.get(username)
        hashed = (doc or {}).get("password_hash")
        if not hashed:
            bcrypt.checkpw(b"x", self._dummy)
            return None
        try:
            ok = bcrypt.checkpw(_pw_bytes(password), hashed.encode("ascii"))
        except ValueError:
            return None
        return doc if ok else None

    def ensure_admin(self, password: str | None = None) -> str | None:
        """With no users at all, create `admin` (with `password`, else a random one) and return the password."""
        if self.coll.find_one({}, {"_id": 1}) is not None:
            return None
        password = password or secrets.token_urlsafe(18)
        try:
            self.add(FIRST_ADMIN, password, admin=True)
        except UserError:
            return None  # another process created it first
        return password
