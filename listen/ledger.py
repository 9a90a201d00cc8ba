"""What the listener remembers in the store, all written by `_id` (the embedded store's fast path):

- `listen_events`: one record per delivered message id: attempts so far (counted in the store, so a
  crash loop on one message is bounded too) and whether it was applied (redeliveries are skipped);
- `listen_marks`: per object, the time of the newest event applied, so an older event changes nothing;
- `failed_events`: what could not be applied, with its reason and body, for a person to look at.
Times are compared in Python at full precision (the embedded store compares datetimes to the second).
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from pymongo import ReturnDocument

from app.clock import Clock, utcnow
from app.store.keys import stable_id
from app.store.store import Store
from listen.envelope import parse_time

MAX_BODY = 64 * 1024


def body_id(body: bytes | str) -> str:
    """An id for a message that carries none (a hash of its body: redeliveries share it)."""
    data = body.encode("utf-8", "replace") if isinstance(body, str) else bytes(body)
    return "body-" + hashlib.blake2b(data, digest_size=12).hexdigest()


class Ledger:
    def __init__(self, store: Store, env: str, clock: Clock = utcnow):
        self.env = env
        self.events = store["listen_events"]
        self.marks = store["listen_marks"]
        self.failed = store["failed_events"]
        self.clock = clock

    # -- deliveries -----------------------------------------------------------------------------
    def _eid(self, message_id: str):
        return stable_id("listen_events", self.env, message_id)

    def attempt(self, message_id: str, event_type: str | None) -> tuple[int, bool]:
        """Count one more delivery; returns (attempts, already applied)."""
        doc = self.events.find_one_and_update(
            {"_id": self._eid(message_id)},
            {"$inc": {"attempts": 1}, "$set": {"environment": self.env, "message_id": message_id,
                                               "event_type": event_type, "last_attempt": self.clock()}},
            upsert=True, return_document=ReturnDocument.AFTER)
        if doc is None:  # an upsert that did not hand the document back
            doc = self.events.find_one({"_id": self._eid(message_id)}) or {}
        return int(doc.get("attempts") or 1), bool(doc.get("done"))

    def is_done(self, message_id: str) -> bool:
        doc = self.events.find_one({"_id": self._eid(message_id)}, {"done": 1})
        return bool(doc and doc.get("done"))

    def done(self, message_id: str, outcome: str) -> None:
        self.events.update_one({"_id": self._eid(message_id)},
                               {"$set": {"done": True, "outcome": outcome, "finished": self.clock()}}, upsert=True)

    # -- per-object event time ------------------------------------------------------------------
    def _mid(self, obj_type: str, obj_id: str):
        return stable_id("listen_marks", self.env, obj_type, obj_id)

    def newer_seen(self, obj_type: str, obj_id: str, when: datetime | None) -> str | None:
        """The stored event time when it is newer than `when` (the event is then out of date)."""
        if when is None or not obj_id:
            return None
        doc = self.marks.find_one({"_id": self._mid(obj_type, obj_id)})
        if not doc:
            return None
        stored = parse_time(doc.get("timestamp"))
        return doc.get("timestamp") if stored and stored > when else None

    def mark(self, obj_type: str, obj_id: str, timestamp: str, message_id: str) -> None:
        if not obj_id or not parse_time(timestamp):
            return
        self.marks.update_one({"_id": self._mid(obj_type, obj_id)},
                              {"$set": {"environment": self.env, "object_type": obj_type, "object_id": obj_id,
                                        "timestamp": timestamp, "message_id": message_id}}, upsert=True)

    # -- failures -------------------------------------------------------------------------------
    def fail(self, reason: str, body: bytes | str | None, message_id: str = "", event_type: str | None = None,
             attempts: int = 0) -> None:
        text = body.decode("utf-8", "replace") if isinstance(body, (bytes, bytearray)) else (body or "")
        key = message_id or body_id(text)
        self.failed.update_one(
            {"_id": stable_id("failed_events", self.env, key)},
            {"$set": {"environment": self.env, "message_id": message_id, "event_type": event_type,
                      "reason": reason, "body": text[:MAX_BODY], "truncated": len(text) > MAX_BODY,
                      "attempts": attempts, "failed_at": self.clock()}},
            upsert=True)

    def failures(self) -> list[dict]:
        return list(self.failed.find({"environment": self.env}))
