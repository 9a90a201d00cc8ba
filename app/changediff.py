"""What changed between two points in time, folded from the change log (`/diff`, `calipso diff`).

Points are scan ids (the state right after that scan) or times; the end defaults to now.
Entries between them are folded per object and per link into the net change: added then
removed is nothing; removed then added back with the same content is nothing, with other
content it is a change; two changes of a field keep the first `before` and the last `after`,
and a field changed back to its old value drops out.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from app.changelog import ChangeLog, aware
from app.clock import Clock, utcnow
from app.diffing import canonical
from app.errors import CalipsoError

OPS = ("added", "changed", "removed")
DEFAULT_LIMIT = 5000


class BadPoint(CalipsoError):
    """A `from`/`to` that is neither a known scan id nor a time."""

    exit_code = 2

    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name


@dataclass
class Point:
    seq: int
    time: datetime | None = None
    scan_id: str | None = None

    def as_dict(self) -> dict:
        return {"seq": self.seq, "time": self.time, "scan_id": self.scan_id}


def parse_time(value: str) -> datetime | None:
    s = value.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    try:
        return aware(datetime.fromisoformat(s))
    except ValueError:
        return None


def resolve(log: ChangeLog, env: str, name: str, value, store=None) -> Point:
    """A scan id (of the change log, else of the `scans` collection) or an ISO 8601 time."""
    if isinstance(value, datetime):
        return Point(log.seq_at(env, value), aware(value))
    text = str(value).strip()
    found = log.seq_of_scan(env, text)
    if found is not None:
        return Point(found[0], found[1], text)
    if store is not None and len(text) == 24:
        try:
            from bson import ObjectId
            scan = store["scans"].find_one({"_id": ObjectId(text), "environment": env})
        except Exception:
            scan = None
        if scan is not None:
            end = aware(scan.get("end_timestamp"))
            if end is None:
                raise BadPoint(name, f"scan {text} of {env} has not finished")
            return Point(log.seq_at(env, end), end, text)
    when = parse_time(text)
    if when is None:
        raise BadPoint(name, f"{text[:80]!r} is neither a scan id of {env} in the change log nor an ISO 8601 time "
                             "(e.g. 2026-05-01T10:00:00Z)")
    return Point(log.seq_at(env, when), when)


def _under(path: str | None, prefix: str) -> bool:
    if not path:
        return False
    p = prefix.rstrip("/")
    return path == p or path.startswith(p + "/")


def _object_key(r: dict) -> tuple:
    return (r.get("type"), r.get("id"))


def _link_key(r: dict) -> tuple:
    return (r.get("link_type"), r.get("source_id"), r.get("target_id"))


def _fold(net: dict, key: tuple, rec: dict, at: datetime) -> None:
    rec = dict(rec)
    rec["at"] = at
    old = net.get(key)
    op = rec["op"]
    if old is None:
        if op == "changed":
            rec["fields"] = {f: list(v) for f, v in (rec.get("fields") or {}).items()}
        if op == "removed":
            rec["_first_hash"] = rec.get("hash")
        net[key] = rec
        return
    prev = old["op"]
    if prev == "added":
        if op == "removed":
            del net[key]
        else:
            net[key] = {**rec, "op": "added"}
        return
    if prev == "removed":
        if op == "added" or op == "changed":
            same = old.get("_first_hash") and old.get("_first_hash") == rec.get("hash")
            if same and op == "added":
                del net[key]
            else:
                net[key] = {**rec, "op": "changed", "recreated": True, "fields": dict(old.get("fields") or {})}
        return
    # prev == "changed"
    if op == "removed":
        net[key] = {**rec, "_first_hash": old.get("_first_hash")}
        return
    fields = dict(old.get("fields") or {})
    for f, (b, a) in (rec.get("fields") or {}).items():
        fields[f] = [fields[f][0], a] if f in fields else [b, a]
    net[key] = {**rec, "op": "changed", "recreated": old.get("recreated", False), "fields": fields}


def _settle(rec: dict) -> dict | None:
    """A folded record as served; None when its changes cancelled out."""
    rec = {k: v for k, v in rec.items() if k not in ("_first_hash", "op")}
    if "fields" in rec:
        fields = {f: {"before": b, "after": a} for f, (b, a) in sorted(rec["fields"].items())
                  if canonical(b) != canonical(a)}
        if not fields and not rec.get("recreated"):
            return None
        rec["fields"] = fields
    rec.pop("hash", None)
    return rec


def _keep_object(r: dict, types: set[str], prefix: str | None) -> bool:
    if types and r.get("type") not in types:
        return False
    return prefix is None or _under(r.get("id_path"), prefix)


def _keep_link(r: dict, types: set[str], prefix: str | None) -> bool:
    if types and r.get("link_type") not in types and not (set(str(r.get("link_type")).split("-")) & types):
        return False
    return prefix is None or _under(r.get("source_path"), prefix) or _under(r.get("target_path"), prefix)


def diff(log: ChangeLog, env: str, start, end=None, types: list[str] | None = None, id_path: str | None = None,
         limit: int = DEFAULT_LIMIT, store=None, clock: Clock = utcnow) -> dict:
    """The net change of `env` from `start` to `end` (now when None), as `/diff` serves it."""
    p_from = resolve(log, env, "from", start, store)
    p_to = resolve(log, env, "to", end, store) if end not in (None, "") else Point(log.last_seq(env), clock())
    if p_to.seq < p_from.seq:
        raise BadPoint("to", "is earlier than from")
    entries = log.entries(env, p_from.seq, p_to.seq)
    objects: dict[tuple, dict] = {}
    links: dict[tuple, dict] = {}
    for e in entries:
        for r in e["objects"]:
            _fold(objects, _object_key(r), r, e["timestamp"])
        for r in e["links"]:
            _fold(links, _link_key(r), r, e["timestamp"])
    wanted = set(types or [])
    out: dict = {"environment": env, "from": p_from.as_dict(), "to": p_to.as_dict(), "entries": len(entries),
                 "scans": [e["scan_id"] for e in entries if e.get("scan_id")]}
    pruned = log.pruned_before(env)
    out["complete"] = not (pruned and (p_from.time is None or p_from.time < pruned))
    truncated = False
    counts: dict = {}
    for part, net, keep in (("objects", objects, _keep_object), ("links", links, _keep_link)):
        lists: dict[str, list] = {op: [] for op in OPS}
        for rec in net.values():
            op = rec["op"]
            if not keep(rec, wanted, id_path):
                continue
            settled = _settle(rec)
            if settled is None:
                continue
            lists[op].append(settled)
        counts[part] = {op: len(v) for op, v in lists.items()}
        for op, rows in lists.items():
            rows.sort(key=lambda r: tuple(str(x) for x in (_object_key(r) if part == "objects" else _link_key(r))))
            if len(rows) > limit:
                truncated = True
                del rows[limit:]
        out[part] = lists
    out["counts"] = counts
    out["truncated"] = truncated
    return out
