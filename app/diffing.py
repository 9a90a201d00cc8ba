"""What changed between the stored form of an object or link and a newly found one.

A scan and a listener batch both compare what they found with what is stored and write only
the difference. The comparison goes through a content hash kept on each stored document
(`_hash`), so an unchanged document costs neither a write nor a full read; only documents
whose hash differs are read back to name the fields that changed (before and after).

Hashes cover what the finder produced, not the times the store adds (`last_seen`...), not
fields other writers own (monitoring status, the clique flag): those survive a rescan; and not
the fields that move while the network does not (heartbeats: app.volatile): those are stored
with the document but are never a change by themselves.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

import orjson
from bson import ObjectId

from app.packed import PackedDicts
from app.volatile import steady

#: when a document was written or seen: never part of its content
TIMES = frozenset({"last_scanned", "last_seen", "first_seen", "last_scan_id", "stale_since"})
#: fields written by other writers (monitoring, listener status events, clique builder); a scan
#: that does not produce them leaves them alone instead of reporting them removed
FOREIGN = frozenset({"clique", "status", "status_value", "status_text", "status_timestamp", "root_cause",
                     "state_description", "last_event"})


def _default(value):
    if type(value) is ObjectId:       # first: the most common by far (links' ends, cliques' nodes and links)
        return str(value)
    if type(value) is PackedDicts:    # hashed as the plain list it is stored as
        return value.unpack()
    if isinstance(value, datetime):   # as BSON keeps it: UTC, milliseconds (the embedded store drops the zone)
        if value.tzinfo is not None:
            value = value.astimezone(timezone.utc).replace(tzinfo=None)
        return value.replace(microsecond=value.microsecond // 1000 * 1000).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, ObjectId):
        return str(value)
    if isinstance(value, (set, frozenset)):
        return sorted(map(str, value))
    if isinstance(value, (bytes, bytearray)):
        return value.hex()
    return str(value)


_ORJSON = orjson.OPT_SORT_KEYS | orjson.OPT_NON_STR_KEYS | orjson.OPT_PASSTHROUGH_DATETIME


def canonical_bytes(value) -> bytes:
    """One text per value, whatever the key order (fetchers annotate documents concurrently).

    orjson, as every scanned object and link is hashed; the standard library takes what
    orjson refuses (an integer beyond 64 bits), the same way every time for the same value.
    """
    try:
        return orjson.dumps(value, default=_default, option=_ORJSON)
    except (orjson.JSONEncodeError, TypeError):
        return json.dumps(_str_keys(value), sort_keys=True, default=_default, separators=(",", ":"),
                          ensure_ascii=False).encode("utf-8")


def _str_keys(value):
    """Keys as text, as orjson writes them (so mixed int and str keys can be sorted)."""
    if isinstance(value, dict):
        return {str(k): _str_keys(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_str_keys(v) for v in value]
    return value


def canonical(value) -> str:
    return canonical_bytes(value).decode("utf-8")


#: the one underscored field that is content (a scan's own); every other `_` key is the store's
SCAN_PARENT = "_scan_parent"


def _ours(key: str) -> bool:
    """The store's own keys (`_id`, `_hash`, `_key`, `_env_id`...): never content."""
    return key[:1] == "_" and key != SCAN_PARENT


def without_times(doc: dict, keep: str) -> dict:
    """A copy of `doc` without its times and its `_` keys but `keep`: copied in C and the few keys
    taken out, 40-60 % less than a comprehension (every document and every clique's link passes here)."""
    out = dict(doc)
    for k in TIMES.intersection(out):
        del out[k]
    for k in [k for k in out if k[:1] == "_" and k != keep]:
        del out[k]
    return out


def content(doc: dict) -> dict:
    """A document's content: its fields minus times and the store's own keys (see `_ours`)."""
    return without_times(doc, SCAN_PARENT)


def content_hash(doc: dict) -> str:
    """The hash of a document's content, the same whether it was just found or read back, and
    whatever its volatile fields say (app.volatile)."""
    return hash_of_content(content(doc))


def hash_of_content(plain: dict) -> str:
    """`content_hash` of a document that is its content already (`content`), not copied again."""
    return hashlib.blake2b(canonical_bytes(steady(plain)), digest_size=12).hexdigest()


def content_hash_strict(doc: dict) -> str:
    """`content_hash` where orjson takes the content (raises where it refuses it; the caller then hashes
    it by `content_hash`): the content may hold text already canonical (orjson.Fragment, app.cliques)."""
    return hashlib.blake2b(orjson.dumps(steady(content(doc)), default=_default, option=_ORJSON),
                           digest_size=12).hexdigest()


def canonical_fragment(value) -> orjson.Fragment | None:
    """`value`'s canonical text, to be placed as it is inside another value (`content_hash_strict`);
    None where orjson refuses it (that value is then hashed the usual way)."""
    try:   # copied: orjson's own output keeps the room it was written in (4 KB for a 470-byte link)
        return orjson.Fragment(bytes(memoryview(orjson.dumps(value, default=_default, option=_ORJSON))))
    except (orjson.JSONEncodeError, TypeError):
        return None


def field_changes(before: dict, after: dict) -> dict[str, tuple]:
    """Fields whose value differs: name -> (before, after); a field gone has after None.

    `before` is the stored (decoded) document, `after` the one found now. Fields only the
    stored document has are reported removed unless another writer owns them. Volatile fields
    (app.volatile) are compared out: a field that differs only in them has not changed.
    """
    out: dict[str, tuple] = {}
    sb, sa = steady(before), steady(after)
    for key, new in sa.items():
        if key in TIMES or _ours(key):
            continue
        old = sb.get(key)
        if key not in sb or canonical_bytes(old) != canonical_bytes(new):
            out[key] = (before.get(key), after.get(key))
    for key, old in sb.items():
        if key in sa or key in TIMES or key in FOREIGN or _ours(key):
            continue
        out[key] = (before.get(key), None)
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


@dataclass
class Comparison:
    """Found documents against stored ones, by `_id` (what to write, and what to log)."""

    added: list[dict] = field(default_factory=list)                  # not stored, or stored stale
    changed: list[tuple[dict, dict]] = field(default_factory=list)   # (document, changed fields)
    rewrite: list[tuple[dict, dict]] = field(default_factory=list)   # same content, stored hash out of date
    revived: list[tuple[dict, dict]] = field(default_factory=list)   # stored stale, seen again: (document, fields)
    unchanged: int = 0

    def log(self) -> list[Change]:
        """What the change log records: a stale document seen again counts as added (its
        staling was logged as a removal)."""
        return ([Change("added", d) for d in self.added] + [Change("added", d) for d, _ in self.revived]
                + [Change("changed", d, f) for d, f in self.changed])

    def writes(self) -> tuple[list[dict], list[tuple[dict, dict]]]:
        """(inserts, updates) for the store."""
        return self.added, self.changed + self.rewrite + self.revived


#: documents read back at a time to name their changed fields (a vEdge of a 1,000-host mesh holds 250
#: tunnel ports, about 170 KB decoded): each batch is let go before the next is read
READ_BACK = 25
VALUE_LIMIT = 2000          # characters of one before/after value kept in the change log


def logged(value):
    """A before/after value as the change log keeps it: whole when small, else a note of its size.

    A changed field's value before is kept so from the comparison on: when peers come and go
    (l2population), a rescan at 1,000 hosts changes the tunnel ports of hundreds of vEdges and
    OTEPs, and their old lists, kept whole until the log was written, were 120 MB."""
    text = canonical(value)
    if len(text) <= VALUE_LIMIT:
        return value
    return f"<{len(text)} characters, not kept in the change log>"


def compare(found: dict, stored: dict, load) -> Comparison:
    """Compare found documents (by `_id`) with the stored index (`_id` -> `_hash`, `stale_since`).

    Only documents whose hash differs are read back whole (`load(ids) -> [stored documents]`)
    to name their changed fields; the rest cost nothing.
    """
    out = Comparison()
    suspects = []
    for oid, doc in found.items():
        meta = stored.get(oid)
        if meta is None:
            out.added.append(doc)
            continue
        h = doc.get("_hash") or content_hash(doc)
        if meta.get("_hash") == h and not meta.get("stale_since"):
            out.unchanged += 1
            continue
        suspects.append(oid)
    for start in range(0, len(suspects), READ_BACK):   # a batch at a time: what did not change is let go
        batch = suspects[start:start + READ_BACK]
        before = {d["_id"]: d for d in load(batch)}
        for oid in batch:
            doc, old = found[oid], before.get(oid)
            if old is None:            # deleted meanwhile by another writer
                out.added.append(doc)
                continue
            fields = {f: (logged(b), a) for f, (b, a) in field_changes(old, doc).items()}
            if stored[oid].get("stale_since"):
                out.revived.append((doc, fields))
            elif fields:
                out.changed.append((doc, fields))
            else:
                out.rewrite.append((doc, fields))
    return out
