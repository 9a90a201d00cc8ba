"""The `messages` collection (spec §7.4), and a logging handler that feeds it.

Levels are stored with the syslog-style names of constants `messages_severity`
(crit, error, warn, info, debug), so a warning no longer collapses to `info` as it did
in the original. Message ids are ObjectId strings: unique across concurrent writers.
"""

from __future__ import annotations

import logging
import threading
from datetime import datetime, timezone

from bson import ObjectId

from app.clock import Clock, utcnow
from app.logs import mask
from app.store.store import Store

SOURCE_SYSTEMS = ("OpenStack", "Calipso", "Sensu")
ORIGIN_TYPES = ("manual scan", "scheduled scan", "event based scan", "test", "unknown")


def severity(levelno: int) -> str:
    if levelno >= logging.CRITICAL:
        return "crit"
    if levelno >= logging.ERROR:
        return "error"
    if levelno >= logging.WARNING:
        return "warn"
    if levelno >= logging.INFO:
        return "info"
    return "debug"


class Messages:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store["messages"]
        self.clock = clock

    def add(self, message, level: str = "info", environment: str | None = None, source_system: str = "Calipso",
            related_object: str | None = None, related_object_type: str | None = None,
            display_context: str | None = None, timestamp: datetime | None = None,
            msg_id: str | None = None, **extra) -> str:
        doc = self.make(message, level, environment, source_system, related_object, related_object_type,
                        display_context, timestamp, msg_id, **extra)
        self.coll.insert_one(doc)
        return doc["id"]

    def add_many(self, docs: list[dict]) -> None:
        """Insert messages built with `make` in one round trip."""
        if docs:
            self.coll.insert_many(docs, ordered=False)

    def make(self, message, level: str = "info", environment: str | None = None, source_system: str = "Calipso",
             related_object: str | None = None, related_object_type: str | None = None,
             display_context: str | None = None, timestamp: datetime | None = None,
             msg_id: str | None = None, **extra) -> dict:
        """A message document, not stored yet."""
        now = self.clock()
        doc = {
            "id": msg_id or str(ObjectId()),
            "environment": environment,
            "source_system": source_system,
            "level": level,
            "message": message,
            "related_object": related_object,
            "related_object_type": related_object_type,
            "display_context": display_context,
            "timestamp": timestamp or now,
            "received_timestamp": extra.pop("received_timestamp", None),
            "finished_timestamp": extra.pop("finished_timestamp", None),
            "viewed": False,
        }
        doc.update(extra)
        return doc

    def for_env(self, environment: str, limit: int = 0) -> list[dict]:
        return list(self.coll.find({"environment": environment}, sort=[("timestamp", 1)], limit=limit))


class MessagesHandler(logging.Handler):
    """Sends operator-relevant log records of a scan or listener to `messages`.

    A failure to write is reported once on stderr and never breaks the caller.
    """

    def __init__(self, messages: Messages, environment: str | None, level: int = logging.INFO,
                 origin_id: str | None = None, origin_type: str | None = None):
        super().__init__(level)
        self.messages = messages
        self.environment = environment
        self.origin_id = origin_id
        self.origin_type = origin_type
        self._local = threading.local()
        self._failed = False
        self.setFormatter(logging.Formatter("%(asctime)s|%(levelname)s|%(message)s"))

    def emit(self, record: logging.LogRecord) -> None:
        if getattr(self._local, "busy", False) or record.name.startswith("pymongo"):
            return
        self._local.busy = True
        try:
            text = mask(self.format(record))
            extra = {}
            if self.origin_id:
                extra.update(origin_id=self.origin_id, origin_type=self.origin_type or "unknown")
            self.messages.add(
                text, level=severity(record.levelno), environment=getattr(record, "environment", self.environment),
                related_object=getattr(record, "related_object", None),
                related_object_type=getattr(record, "related_object_type", None),
                display_context=getattr(record, "display_context", None),
                timestamp=datetime.fromtimestamp(record.created, timezone.utc), **extra,
            )
        except Exception:
            if not self._failed:
                self._failed = True
                self.handleError(record)
        finally:
            self._local.busy = False
