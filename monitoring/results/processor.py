"""Folds a batch of check results into the store: status on objects and links, one message per state
change (not per result), derived vEdge–pNIC link status, failures to failed_events.

A batch costs a few round trips whatever its size: one `$in` read of the documents it touches, one
bulk write per collection. Results older than what is stored are ignored (they arrive out of order
when the consumer is restarted). Every call returns counts, so the consumer can acknowledge after
the write and the benchmark can count.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field

from pymongo import UpdateOne

from app.clock import Clock, utcnow
from app.inventory import object_id
from app.keyenc import decode, encode
from app.store.keeper import is_unavailable
from app.links import link_id
from app.store.keys import as_object_id
from app.messages import Messages
from monitoring import config_store
from monitoring.results import failed
from monitoring.results.events import BadEvent, CheckResult, parse
from monitoring.results.handlers import DERIVED_LINKS, load_handlers
from monitoring.results.names import Target, decode as decode_name
from monitoring.results.status import derived_link, fields, labels_from_constants, level

log = logging.getLogger(__name__)

CLIENT_MAP_TTL = 30.0
MONITORED_TTL = 10.0     # seconds the set of environments with monitoring on is reused
#: a result that changes nothing but the time refreshes `status_timestamp` at most this often
#: (seconds): most results of a healthy cloud then cost no store write
REFRESH = 60.0
#: what handlers and messages read of a document
LOADED = {f: 1 for f in ("id", "type", "name", "object_name", "network_id", "ports", "tunnels", "tunnel_status", "link_type", "link_name",
                         "source_id", "target_id", "status", "status_value", "status_text", "status_timestamp")}


@dataclass
class Outcome:
    handled: int = 0
    changed: int = 0
    stale: int = 0
    failed: int = 0
    reasons: list[str] = field(default_factory=list)

    def add(self, other: "Outcome") -> None:
        self.handled += other.handled
        self.changed += other.changed
        self.stale += other.stale
        self.failed += other.failed
        self.reasons += other.reasons[-10:]


def _types(store, name: str) -> list[str]:
    doc = store["constants"].find_one({"name": name}) or {}
    return [str(d["value"]) for d in doc.get("data") or [] if "value" in d]


class Processor:
    def __init__(self, store, clock: Clock = utcnow):
        self.store, self.clock = store, clock
        self.messages = Messages(store, clock)
        self.handlers = load_handlers()
        self.labels = labels_from_constants(store)
        self.object_types = _types(store, "object_types") or ["vedge", "host_pnic", "otep", "vconnector",
                                                              "vservice", "instance", "vnic", "host"]
        self.link_types = _types(store, "link_types") or list(DERIVED_LINKS) + ["vnic-vconnector"]
        self._clients: dict[str, tuple[str, str]] = {}
        self._clients_at = 0.0
        self._monitored: set[str] = set()
        self._monitored_at = -MONITORED_TTL

    # -- environment of a result ------------------------------------------------------------------
    def _environment(self, res: CheckResult) -> str | None:
        if res.environment:
            return res.environment
        now = time.monotonic()
        if res.client not in self._clients and now - self._clients_at > CLIENT_MAP_TTL / 10:
            self._clients, self._clients_at = config_store.clients_of(self.store), now
        hit = self._clients.get(res.client)
        return hit[0] if hit else None

    def _is_monitored(self, env: str) -> bool:
        """Whether `env` is a known environment with monitoring on (read again at most once a second
        for an unknown name, so a newly enabled environment is seen at once, a flood of bad names is not)."""
        now = time.monotonic()
        age = now - self._monitored_at
        if age > MONITORED_TTL or (env not in self._monitored and age > 1.0):
            self._monitored = {d["name"] for d in self.store["environments_config"].find(
                {"enable_monitoring": True}, {"name": 1}) if isinstance(d.get("name"), str)}
            self._monitored_at = now
        return env in self._monitored

    # -- one batch --------------------------------------------------------------------------------
    def handle_bodies(self, bodies: list[bytes | str | dict]) -> Outcome:
        """Every body is checked (size, nesting, types, ranges) before anything else; a bad one is
        recorded in failed_events and counted, never raised."""
        parsed, out = [], Outcome()
        for body in bodies:
            try:
                parsed.append((parse(body), body))
            except BadEvent as e:
                self._fail(out, str(e), body, None)
            except Exception as e:          # a parser gap must not send the body back to the queue
                log.exception("could not parse a check result")
                self._fail(out, f"could not be read: {type(e).__name__}", body, None)
        out.add(self.handle(parsed))
        return out

    def handle(self, items: list[tuple[CheckResult, object]]) -> Outcome:
        out = Outcome()
        resolved: list[tuple[str, Target, CheckResult, object]] = []
        for res, body in items:
            env = self._environment(res)
            if env is None:
                self._fail(out, f"client {res.client!r} belongs to no environment with monitoring "
                                "(no environment in the event, no stored client.json names it)", body, None)
                continue
            if not self._is_monitored(env):
                self._fail(out, f"environment {env!r} does not exist or has monitoring off", body, None)
                continue
            try:
                resolved.append((env, decode_name(res.check_name, self.object_types, self.link_types), res, body))
            except BadEvent as e:
                self._fail(out, str(e), body, env)
        docs = self._load(resolved)
        inv_ops, link_ops, notes, touched = {}, {}, [], []
        for env, target, res, body in resolved:
            key = self._key(env, target)
            doc = docs.get(key)
            if doc is None:
                what = f"link {target.type} {target.id} -> {target.target_id}" if target.kind == "link" \
                    else f"{target.type} {target.id!r}"
                self._fail(out, f"check {res.check_name!r}: no {what} in environment {env!r}", body, env)
                continue
            stamp = doc.get("status_timestamp")
            if stamp is not None and _aware(stamp) > res.executed and not target.part:
                out.stale += 1
                continue
            handler = self.handlers.get("link" if target.kind == "link" else target.type) or self.handlers["*"]
            try:
                change = handler(doc, target, res, self.labels)
            except LookupError as e:
                self._fail(out, f"check {res.check_name!r}: {e}", body, env)
                continue
            if self._same(doc, change.set, res):
                out.handled += 1
                continue
            doc.update(change.set)
            (link_ops if target.kind == "link" else inv_ops)[key] = doc
            out.handled += 1
            if change.old != change.new:
                out.changed += 1
                notes.append((env, target, doc, change, res))
                if target.type in {t for pair in DERIVED_LINKS.values() for t in pair}:
                    touched.append((env, target.type, target.id))
        self._write("inventory", inv_ops, ("status", "status_value", "status_text", "status_timestamp", "ports",
                                            "tunnel_status"))
        self._write("links", link_ops, ("status", "status_value", "status_text", "status_timestamp"))
        batch = [self._note(env, target, doc, change, res) for env, target, doc, change, res in notes]
        if touched:
            out.changed += self._derive(touched, docs, batch)
        try:
            self.messages.add_many(batch)
        except Exception as e:   # a message is a convenience: the status is already stored
            log.warning("could not write %d state-change messages: %s", len(batch), e)
        return out

    @staticmethod
    def _same(doc: dict, fields: dict, res: CheckResult) -> bool:
        """Nothing but the time changed, and the stored time is recent enough."""
        stamp = doc.get("status_timestamp")
        if stamp is None or (res.executed - _aware(stamp)).total_seconds() >= REFRESH:
            return False
        return all(doc.get(k) == v for k, v in fields.items() if k != "status_timestamp")

    # -- I/O --------------------------------------------------------------------------------------
    @staticmethod
    def _key(env: str, target: Target):
        if target.kind == "link":
            return link_id(env, target.type, target.id, target.target_id)
        return object_id(env, target.type, target.id)

    def _load(self, resolved) -> dict:
        inv = list({self._key(e, t) for e, t, _, _ in resolved if t.kind == "object"})
        lnk = list({self._key(e, t) for e, t, _, _ in resolved if t.kind == "link"})
        docs = {}
        for coll, ids in (("inventory", inv), ("links", lnk)):
            for start in range(0, len(ids), 1000):
                for d in self.store[coll].find({"_id": {"$in": ids[start:start + 1000]}}, LOADED):
                    docs[as_object_id(d["_id"])] = decode(d)
        return docs

    def _write(self, coll: str, docs: dict, keys: tuple[str, ...]) -> None:
        ops = [UpdateOne({"_id": _id}, {"$set": encode({k: d[k] for k in keys if k in d})}) for _id, d in docs.items()]
        for start in range(0, len(ops), 1000):
            self.store[coll].bulk_write(ops[start:start + 1000], ordered=False)

    def _note(self, env: str, target: Target, doc: dict, change, res: CheckResult) -> dict:
        if target.kind == "link":
            related, rtype, context = f"link_{target.id}_{target.target_id}", f"link_{target.type}", target.id
        else:
            related, rtype = target.id, target.type
            context = doc.get("network_id") if target.type == "port" else target.id
        return self.messages.make(change.text, level=level(change.new if change.new is not None else 3),
                                  environment=env, source_system="Sensu", related_object=related,
                                  related_object_type=rtype, display_context=context, timestamp=res.executed,
                                  msg_id=f"{res.event_id}" if res.source != "sensu1-result" else None)

    def _derive(self, touched: list[tuple[str, str, str]], docs: dict, notes: list[dict]) -> int:
        """Recompute derived links touching the objects whose state changed; returns how many changed."""
        changed = 0
        for link_type, (src_type, dst_type) in DERIVED_LINKS.items():
            for env in sorted({e for e, _, _ in touched}):
                srcs = sorted({i for e, t, i in touched if e == env and t == src_type})
                dsts = sorted({i for e, t, i in touched if e == env and t == dst_type})
                found = {}
                for end, ids in (("source_id", srcs), ("target_id", dsts)):
                    if ids:
                        for raw in self.store["links"].find({"environment": env, "link_type": link_type,
                                                             end: {"$in": ids}}):
                            found[raw["_id"]] = raw
                for raw in found.values():
                    lnk = decode(raw)
                    a = self._current(docs, env, src_type, lnk["source_id"])
                    b = self._current(docs, env, dst_type, lnk["target_id"])
                    new = derived_link(a.get("status_value"), b.get("status_value"))
                    if new is None or new == lnk.get("status_value"):
                        continue
                    when = max(_aware(a["status_timestamp"]), _aware(b["status_timestamp"]))
                    f = fields(new, f"{src_type} {a.get('status')}, {dst_type} {b.get('status')}", when, self.labels)
                    self.store["links"].update_one({"_id": raw["_id"]}, {"$set": f})
                    changed += 1
                    target = Target("link", link_type, lnk["source_id"], lnk["target_id"])
                    from monitoring.results.apply import Change
                    res = CheckResult("", "", new, f["status_text"], when, "", "derived", env)
                    notes.append(self._note(env, target, lnk, Change(f, lnk.get("status_value"), new,
                                                                     f"link {link_type} {lnk.get('link_name') or ''}: "
                                                                     f"{f['status']} ({f['status_text']})"), res))
        return changed

    def _current(self, docs: dict, env: str, obj_type: str, obj_id: str) -> dict:
        key = object_id(env, obj_type, obj_id)
        if key not in docs:
            d = self.store["inventory"].find_one({"_id": key})
            docs[key] = decode(d) if d else {}
        return docs[key]

    def dead_letter(self, reason: str, body) -> Outcome:
        """Record `body` as a failed event with `reason` (for a body whose handling raised)."""
        out = Outcome()
        self._fail(out, reason, body, None)
        return out

    def _fail(self, out: Outcome, reason: str, body, env: str | None) -> None:
        out.failed += 1
        out.reasons.append(reason)
        try:
            failed.record(self.store, reason, body, self.clock(), env)
        except Exception as e:
            if is_unavailable(e):
                raise       # the consumer acknowledges nothing and waits for the store
            log.error("could not record a failed event (%s): %s", reason, e)


def _aware(dt):
    from datetime import timezone
    return dt if dt.tzinfo is not None else dt.replace(tzinfo=timezone.utc)
