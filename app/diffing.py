"""What changed between the stored form of an object or link and a newly found one.

A scan and a listener batch both compare what they found with what is stored and write only
the difference. The comparison goes through a content hash kept on each stored document
(`_hash`), so an unchanged document costs neither a write nor a full read; only documents
whose hash differs are read back to name the fields that changed (before and after).

Hashes cover what the finder produced, not the times the store adds (`last_seen`...), and
not fields other writers own (monitoring status, the clique flag): those survive a rescan.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime

from bson import ObjectId

#: when a document was written or seen: never part of its content
TIMES = frozenset({"last_scanned", "last_seen", "first_seen", "last_scan_id", "stale_since"})
#: fields written by other writers (monitoring, listener status events, clique builder); a scan
#: that does not produce them leaves them alone instead of reporting them removed
FOREIGN = frozenset({"clique", "status", "status_value", "status_text", "status_timestamp", "root_cause",
                     "state_description", "last_event"})


def _default(value):
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return str(value)


def canonical(value) -> str:
    """One text per value, whatever the key order (fetchers annotate documents concurrently)."""
    return json.dumps(value, sort_keys=True, default=_default, separators=(",", ":"), ensure_ascii=False)


def content_hash(doc: dict) -> str:
    """The hash of a document's content: its fields minus times and our own keys."""
    body = {k: v for k, v in doc.items() if k not in TIMES and k != "_id" and k != "_hash"}
    return hashlib.blake2b(canonical(body).encode("utf-8"), digest_size=12).hexdigest()


def _ours(key: str) -> bool:
    """Synthetic keys of the store (`_key`, `_env_id`...), never compared."""
    return key.startswith("_") and key != "_scan_parent"


def field_changes(before: dict, after: dict) -> dict[str, tuple]:
    """Fields whose value differs: name -> (before, after); a field gone has after None.

    `before` is the stored (decoded) document, `after` the one found now. Fields only the
    stored document has are reported removed unless another writer owns them.
    """
    out: dict[str, tuple] = {}
    for key, new in after.items():
        if key in TIMES or _ours(key):
            continue
        old = before.get(key)
        if key not in before or canonical(old) != canonical(new):
            out[key] = (old, new)
    for key, old in before.items():
        if key in after or key in TIMES or key in FOREIGN or _ours(key):
            continue
        out[key] = (old, None)
    return out


@dataclass
class Change:
    """One added, changed or removed object or link, as the change log keeps it."""

    op: str                                  # added | changed | removed
    doc: dict                                # the new document (added/changed) or the stored one (removed)
    fields: dict[str, tuple] = field(default_factory=dict)   # changed: name -> (before, after)


@dataclass
class Changes:
    """Everything one scan or one listener batch changed, for the change log."""

    objects: list[Change] = field(default_factory=list)
    links: list[Change] = field(default_factory=list)

    def __bool__(self) -> bool:
        return bool(self.objects or self.links)

    def counts(self) -> dict[str, dict[str, int]]:
        out: dict[str, dict[str, int]] = {}
        for part in ("objects", "links"):
            c = {"added": 0, "changed": 0, "removed": 0}
            for ch in getattr(self, part):
                c[ch.op] += 1
            out[part] = c
        return out

    def extend(self, other: "Changes") -> None:
        self.objects += other.objects
        self.links += other.links
