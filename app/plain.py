"""Values out of the store made JSON-ready, for every service that prints or serves them."""

from __future__ import annotations

from datetime import date, datetime, timezone

from bson import ObjectId

# what JSON takes as it is: most of a document, passed over without a call (a 1,000-row page has ~10,000)
_AS_IS = frozenset((str, int, float, bool, type(None)))


def plain(value):
    """A JSON-ready copy: ObjectId -> str, datetime -> ISO 8601 (UTC when naive), bytes dropped."""
    t = type(value)
    if t in _AS_IS:
        return value
    if t is dict:
        return {(k if type(k) is str else str(k)): (v if type(v) in _AS_IS else plain(v)) for k, v in value.items()}
    if t is list:
        return [v if type(v) in _AS_IS else plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=timezone.utc)
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return None
    return value
