"""The change log: what each scan and each listener batch added, removed and changed.

One entry per completed scan or applied batch: a small head in `changes` (when, by what, counts)
and its records in `changes_records`: per object and per link its key, name and place, and for a
change the fields with their value before and after.
No copy of the inventory is kept, so storage follows the changes (an unchanged rescan leaves a
checkpoint of a few hundred bytes, so that its scan id can be named in a diff). Entries are
numbered per environment (`seq`, one atomic counter), because the embedded store compares
dates to the whole second; times are kept for people and for `from`/`to` as times.

Records are split into parts of PART_SIZE (a MongoDB document is at most 16 MB). Both are found
through one indexed string per entry (`_env_seq`, "<env>|<zero-padded seq>"), so reading a few
entries never touches the others (the embedded store uses one single-field index per query).
Entries older than the retention (default 30 days, CALIPSO_CHANGE_LOG_DAYS) are pruned when
a scan records its entry; a diff reaching back past what was pruned says it is incomplete.
"""

from __future__ import annotations

import itertools
import os
from datetime import datetime, timedelta, timezone
from typing import Iterator

from app.clock import Clock, utcnow
from app.diffing import Change, Changes, content_hash, logged
from app.keyenc import decode, encode
from app.store.store import Store
from app.write_behind import WriteBehind

COLLECTION = "changes"
RECORDS = "changes_records"
COUNTERS = "changes_state"
PART_SIZE = 2000
DEFAULT_DAYS = 30


def retention_days() -> float:
    """The retention setting: CALIPSO_CHANGE_LOG_DAYS, else 30 days."""
    raw = os.environ.get("CALIPSO_CHANGE_LOG_DAYS", "")
    try:
        days = float(raw) if raw.strip() else DEFAULT_DAYS
    except ValueError:
        raise ValueError(f"CALIPSO_CHANGE_LOG_DAYS must be a number of days, got {raw!r}") from None
    if days <= 0:
        raise ValueError(f"CALIPSO_CHANGE_LOG_DAYS must be positive, got {raw!r}")
    return days


def aware(t: datetime | None) -> datetime | None:
    """The embedded store hands dates back naive (UTC)."""
    if t is None:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def _fields(change: Change) -> dict:
    """Changed fields, their names encoded for MongoDB (only here can a key hold a dot)."""
    return encode({f: [logged(b), logged(a)] for f, (b, a) in sorted(change.fields.items())})


def object_record(change: Change) -> dict:
    d = change.doc
    rec = {"op": change.op, "type": d.get("type"), "id": d.get("id"), "name": d.get("name"),
           "id_path": d.get("id_path"), "_id": d.get("_id"), "hash": d.get("_hash") or content_hash(d)}
    if change.op == "changed":
        rec["fields"] = _fields(change)
    return rec


def link_record(change: Change, paths: dict) -> dict:
    d = change.doc
    rec = {"op": change.op, "link_type": d.get("link_type"), "link_name": d.get("link_name"),
           "source_id": d.get("source_id"), "target_id": d.get("target_id"), "source": d.get("source"),
           "target": d.get("target"), "host": d.get("host"), "_id": d.get("_id"),
           "source_path": paths.get(d.get("source")), "target_path": paths.get(d.get("target")),
           "hash": d.get("_hash") or content_hash(d)}
    if change.op == "changed":
        rec["fields"] = _fields(change)
    return rec


def _records(changes: Changes, paths: dict) -> Iterator[tuple[str, dict]]:
    for c in changes.objects:
        yield "objects", object_record(c)
    for c in changes.links:
        yield "links", link_record(c, paths)


def seq_key(env: str, seq: int) -> str:
    """One indexed string per entry: a range of entries of one environment is a range of these."""
    return f"{env}|{seq:012d}"


class ChangeLog:
    def __init__(self, store: Store, clock: Clock = utcnow, days: float | None = None):
        self.coll = store[COLLECTION]          # one small head per entry: when, what, counts
        self.records = store[RECORDS]          # the entry's records, in parts
        self.counters = store[COUNTERS]
        self.clock = clock
        self.days = retention_days() if days is None else days

    # -- writing --------------------------------------------------------------------------------
    def _next_seq(self, env: str) -> int:
        doc = self.counters.find_one_and_update({"_id": env}, {"$inc": {"seq": 1}}, upsert=True,
                                                return_document=True)
        return int(doc["seq"])

    def record(self, env: str, changes: Changes, origin: str, scan_id: str | None = None,
               paths: dict | None = None, checkpoint: bool = False) -> int | None:
        """Write one entry; returns its sequence number, or None when there was nothing to say.

        A scan passes checkpoint=True: its entry is written even when nothing changed, so its
        scan id can be used as a diff's end; a listener batch that changed nothing leaves nothing.
        """
        if not changes and not checkpoint:
            return None
        paths = paths or {}
        records = _records(changes, paths)      # built part by part: a first scan logs every object
        seq = self._next_seq(env)
        now = self.clock()
        key = seq_key(env, seq)
        parts = -(-(len(changes.objects) + len(changes.links)) // PART_SIZE)
        # each part is inserted while the next is built (a first scan of 1,000 hosts logs 112,000 records);
        # the head goes in last
        with WriteBehind("change-log") as writes:
            for i in range(parts):
                chunk = list(itertools.islice(records, PART_SIZE))
                writes.submit(self.records.insert_one, {
                    "environment": env, "_env_seq": key, "timestamp": now, "part": i,
                    "objects": [r for kind, r in chunk if kind == "objects"],
                    "links": [r for kind, r in chunk if kind == "links"]})
        self.coll.insert_one({"environment": env, "seq": seq, "_env_seq": key, "timestamp": now, "origin": origin,
                              "scan_id": scan_id, "_env_scan": f"{env}|{scan_id}" if scan_id else None,
                              "counts": changes.counts(), "parts": parts})
        return seq

    def prune(self, env: str) -> int:
        """Drop entries older than the retention; remember how far back the log still reaches."""
        cutoff = self.clock() - timedelta(days=self.days)
        # the old entries are found among the heads (one small document per entry) and their records by
        # the indexed entry key: a filter on the records' timestamp read every record part kept (the
        # embedded store compares dates in Python), 0.7 s per scan at 300 hosts after a single first scan
        old = [d["_env_seq"] for d in self.coll.find({"environment": env, "timestamp": {"$lt": cutoff}},
                                                      {"_env_seq": 1}) if d.get("_env_seq")]
        n = 0
        for start in range(0, len(old), 500):       # records first: a head is never left without a way to
            keys = old[start:start + 500]            # find (and prune) its records
            self.records.delete_many({"_env_seq": {"$in": keys}})
            n += self.coll.delete_many({"_env_seq": {"$in": keys}}).deleted_count
        if n:
            self.counters.update_one({"_id": env}, {"$set": {"pruned_before": cutoff}}, upsert=True)
        return n

    def forget(self, env: str) -> int:
        """An environment deleted with its data: its history goes too."""
        self.counters.delete_one({"_id": env})
        self.records.delete_many({"environment": env})
        return self.coll.delete_many({"environment": env}).deleted_count

    # -- reading --------------------------------------------------------------------------------
    def last_seq(self, env: str) -> int:
        doc = self.counters.find_one({"_id": env})
        return int(doc["seq"]) if doc and doc.get("seq") else 0

    def pruned_before(self, env: str) -> datetime | None:
        doc = self.counters.find_one({"_id": env})
        return aware(doc.get("pruned_before")) if doc else None

    def seq_of_scan(self, env: str, scan_id: str) -> tuple[int, datetime] | None:
        doc = self.coll.find_one({"_env_scan": f"{env}|{scan_id}"}, {"seq": 1, "timestamp": 1})
        return (int(doc["seq"]), aware(doc["timestamp"])) if doc else None

    def seq_at(self, env: str, when: datetime) -> int:
        """The last entry written at or before `when` (0: before the first)."""
        when = aware(when)
        # the embedded store compares dates to the whole second: ask a second more, decide here
        cursor = self.coll.find({"environment": env, "timestamp": {"$lte": when + timedelta(seconds=1)}},
                                {"seq": 1, "timestamp": 1}).sort([("seq", -1)])
        for doc in cursor:
            if aware(doc["timestamp"]) <= when:
                return int(doc["seq"])
        return 0

    def entries(self, env: str, after_seq: int, upto_seq: int | None = None) -> list[dict]:
        """Entries after `after_seq` up to `upto_seq` (inclusive), oldest first, parts joined."""
        rng = {"$gt": seq_key(env, after_seq), "$lte": seq_key(env, upto_seq if upto_seq is not None else 10 ** 12 - 1)}
        out: dict[str, dict] = {}
        for doc in self.coll.find({"_env_seq": rng}):
            out[doc["_env_seq"]] = {"seq": doc["seq"], "timestamp": aware(doc["timestamp"]), "origin": doc.get("origin"),
                                    "scan_id": doc.get("scan_id"), "counts": doc.get("counts"),
                                    "objects": [], "links": []}
        for doc in sorted(self.records.find({"_env_seq": rng}), key=lambda d: (d["_env_seq"], d["part"])):
            e = out.get(doc["_env_seq"])
            if e is None:
                continue
            for part in ("objects", "links"):
                for r in doc.get(part) or []:
                    if "fields" in r:
                        r["fields"] = decode(r["fields"])
                    e[part].append(r)
        return [out[k] for k in sorted(out)]
