"""Events that could not be handled: one `failed_events` record per distinct body, with the reason
and how often it came (the consumer acknowledges them: a bad event must not block the queue)."""

from __future__ import annotations

import hashlib
from datetime import datetime

from app.store.keys import stable_id
from monitoring.results.limits import printable

MAX_BODY = 20000


def record(store, reason: str, body: bytes | str | dict | None, when: datetime, environment: str | None = None) -> None:
    text = printable(body)
    digest = hashlib.sha1(text.encode("utf-8", "replace")).hexdigest()
    store["failed_events"].update_one(
        {"_id": stable_id("failed_events", "Sensu", digest)},
        {"$set": {"environment": environment, "source_system": "Sensu", "reason": reason,
                  "body": text[:MAX_BODY], "truncated": len(text) > MAX_BODY, "failed_at": when},
         "$inc": {"count": 1}}, upsert=True)
