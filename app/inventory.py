"""Inventory objects: write what changed, look up by id, walk children, delete a subtree, retire stale ones.

Documents keep the original's field names (spec §2); keys are encoded for MongoDB on the way
in and decoded on the way out. Hot lookups use the single-field synthetic keys of
app.store.keys, which work the same on real MongoDB and the embedded store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable, Iterator

from bson import ObjectId
from pymongo import UpdateOne

from app.clock import Clock, utcnow
from app.diffing import content, hash_of_content
from app.keyenc import decode, encode
from app.store.bulk import upsert_by_id, write_found
from app.store.keys import as_object_id, k, name_key, object_keys, stable_id
from app.store.store import Store
from app.stored_index import indexed

BATCH = 1000
REQUIRED = ("environment", "type", "id", "id_path", "name_path")


def object_id(env: str, obj_type: str, obj_id: str) -> ObjectId:
    """The `_id` of an inventory object: derived from (environment, type, id), stable across scans."""
    return stable_id("inventory", env, obj_type, obj_id)


def _out(doc: dict | None) -> dict | None:
    if doc is None:
        return None
    doc = decode(doc)
    doc["_id"] = as_object_id(doc["_id"])
    return doc


def _with_name_key(fields: dict) -> dict:
    """Fields to `$set`, with the lower-cased name key when the name is among them."""
    return {**fields, **name_key(fields["name"])} if "name" in fields else fields


#: what names a stored object in the change log and in retirement (Inventory.described)
DESCRIBED = {"type": 1, "id": 1, "name": 1, "id_path": 1, "last_seen": 1}


class Inventory:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store["inventory"]
        self.clock = clock

    # -- writes ---------------------------------------------------------------------------------
    @staticmethod
    def check(doc: dict) -> None:
        missing = [f for f in REQUIRED if not doc.get(f)]
        if missing:
            raise ValueError(f"inventory object {doc.get('id')!r} lacks {', '.join(missing)}")

    @staticmethod
    def stored_body(doc: dict, seen: datetime) -> tuple[ObjectId, dict]:
        """(`_id`, body) of a placed document as stored: encoded keys, lookup keys, content hash, times."""
        Inventory.check(doc)
        plain = content(doc)
        body = encode(plain)
        body.update(object_keys(doc["environment"], doc["type"], doc["id"], doc.get("parent_id")))
        body.update(name_key(doc.get("name")))
        body["_hash"] = hash_of_content(plain)
        body["last_scanned"] = body["last_seen"] = seen
        return object_id(doc["environment"], doc["type"], doc["id"]), body

    def upsert(self, docs: Iterable[dict], seen: datetime | None = None) -> int:
        """Write placed documents (see app.paths.place) whole; returns how many were written.

        `$set` semantics as in the original: fields written by others (monitoring status,
        the clique flag) survive. Scans and the listener write only what changed (`write`).
        """
        seen = seen or self.clock()
        pairs = [self.stored_body(d, seen) for d in docs if d.get("create_object") is not False]
        return upsert_by_id(self.coll, pairs, seen)

    def write(self, added: list[dict], changed: list[tuple[dict, dict]], seen: datetime,
              hashes: dict[ObjectId, str] | None = None, focal: "set[ObjectId] | frozenset" = frozenset()) -> int:
        """Write new objects and changed ones (app.store.bulk.write_found); those in `focal` carry the
        clique flag as they are written (not a second write of each after its clique: a seventh of a
        first scan's objects)."""
        body = self.stored_body
        if focal:
            def body(doc: dict, seen: datetime) -> tuple[ObjectId, dict]:
                oid, b = Inventory.stored_body(doc, seen)
                if oid in focal:
                    b["clique"] = True
                return oid, b
        return write_found(self.coll, added, changed, seen, body, self.check, hashes)

    def patch(self, changes: list[tuple[ObjectId, dict]]) -> int:
        """Set some fields of many objects (what link finders annotate), in bulk."""
        ops = [UpdateOne({"_id": oid}, {"$set": _with_name_key(encode(fields))}) for oid, fields in changes if fields]
        for start in range(0, len(ops), BATCH):
            self.coll.bulk_write(ops[start:start + BATCH], ordered=False)
        return len(ops)

    def index(self, env: str) -> dict[ObjectId, dict]:
        """What a scan compares with: every stored object of `env` by `_id`, with its hash and the flags
        a scan reads of every object; what names an object (`described`) is read for the few it needs
        (those it did not find): at 1,000 hosts, reading it for all 66,000 held an estimated 55 MB more."""
        fields = {"_hash": 1, "stale_since": 1, "clique": 1}
        return indexed(_out(d) for d in self.coll.find({"environment": env}, fields))

    def described(self, oids: Iterable[ObjectId]) -> dict[ObjectId, dict]:
        """What names each object, where it sits and when it was last seen, by `_id`."""
        return {d.pop("_id"): d for d in self.by_object_ids(oids, DESCRIBED)}

    def set_fields(self, env: str, obj_type: str, obj_id: str, fields: dict) -> bool:
        """Update some fields of one object (status, clique flag, ...)."""
        res = self.coll.update_one({"_id": object_id(env, obj_type, obj_id)}, {"$set": _with_name_key(encode(fields))})
        return res.matched_count == 1

    # -- reads ----------------------------------------------------------------------------------
    @staticmethod
    def _out(doc: dict | None) -> dict | None:
        return _out(doc)

    def get(self, env: str, obj_id: str, obj_type: str | None = None) -> dict | None:
        if obj_type:
            return self._out(self.coll.find_one({"_id": object_id(env, obj_type, obj_id)}))
        return self._out(self.coll.find_one({"_env_id": k(env, obj_id)}))

    def get_by_object_id(self, oid: ObjectId) -> dict | None:
        return self._out(self.coll.find_one({"_id": oid}))

    def get_many(self, env: str, ids: Iterable[str]) -> list[dict]:
        keys = [k(env, i) for i in ids]
        out: list[dict] = []
        for start in range(0, len(keys), BATCH):
            out += [_out(d) for d in self.coll.find({"_env_id": {"$in": keys[start:start + BATCH]}})]
        return out

    def names(self, env: str, ids: Iterable[str]) -> list[dict]:
        """Only what names the objects `ids` of `env` (id, name, object_name, type), in batches."""
        keys = [k(env, i) for i in ids]
        fields = {"id": 1, "name": 1, "object_name": 1, "type": 1}
        out: list[dict] = []
        for start in range(0, len(keys), BATCH):
            out += [_out(d) for d in self.coll.find({"_env_id": {"$in": keys[start:start + BATCH]}}, fields)]
        return out

    def live(self, env: str, fields: list[str] | None = None) -> list[dict]:
        """The environment's objects not marked stale."""
        query: dict = {"environment": env, "stale_since": {"$exists": False}}
        projection = {f: 1 for f in fields} if fields else None
        return [_out(d) for d in self.coll.find(query, projection)]

    def by_object_ids(self, oids: Iterable[ObjectId], fields: dict | None = None) -> list[dict]:
        """Objects by `_id`, in batches; with `fields`, only those (a projection)."""
        oids = list(oids)
        out: list[dict] = []
        for start in range(0, len(oids), BATCH):
            out += [_out(d) for d in self.coll.find({"_id": {"$in": oids[start:start + BATCH]}}, fields)]
        return out

    def of_type(self, env: str, obj_type: str) -> Iterator[dict]:
        for d in self.coll.find({"_env_type": k(env, obj_type)}):
            yield _out(d)

    def children(self, env: str, parent_id: str, obj_type: str | None = None) -> list[dict]:
        docs = [_out(d) for d in self.coll.find({"_env_parent": k(env, parent_id)})]
        return [d for d in docs if obj_type is None or d["type"] == obj_type]

    def find(self, query: dict, limit: int = 0, skip: int = 0) -> list[dict]:
        return [_out(d) for d in self.coll.find(encode(query), skip=skip, limit=limit)]

    def count(self, env: str, obj_type: str | None = None) -> int:
        query = {"_env_type": k(env, obj_type)} if obj_type else {"environment": env}
        return self.coll.database.command("count", self.coll.name, query=query)["n"]

    # -- deletes --------------------------------------------------------------------------------
    def subtree(self, env: str, obj_id: str) -> list[dict]:
        """The object and everything below it, breadth first, one indexed query per level."""
        top = self.coll.find_one({"_env_id": k(env, obj_id)}, {"_id": 1, "id": 1, "type": 1})
        if top is None:
            return []
        top["_id"] = as_object_id(top["_id"])
        found = [top]
        frontier = [top["id"]]
        while frontier:
            keys = [k(env, i) for i in frontier]
            level: list[dict] = []
            for start in range(0, len(keys), BATCH):
                level += list(self.coll.find({"_env_parent": {"$in": keys[start:start + BATCH]}},
                                             {"_id": 1, "id": 1, "type": 1}))
            for d in level:
                d["_id"] = as_object_id(d["_id"])
            seen = {d["_id"] for d in found}
            level = [d for d in level if d["_id"] not in seen]
            found += level
            frontier = [d["id"] for d in level]
        return found

    def delete_subtree(self, env: str, obj_id: str) -> list[ObjectId]:
        """Delete the object and its descendants; returns their ObjectIds (to drop their links)."""
        oids = [d["_id"] for d in self.subtree(env, obj_id)]
        for start in range(0, len(oids), BATCH):
            self.coll.delete_many({"_id": {"$in": oids[start:start + BATCH]}})
        return oids

    def clear(self, env: str) -> int:
        return self.coll.delete_many({"environment": env}).deleted_count

    # -- staleness ------------------------------------------------------------------------------
    def mark_stale(self, oids: list[ObjectId], when: datetime, last_seen: dict[ObjectId, datetime] | None = None) -> None:
        """Objects a full scan missed: `stale_since` now, and `last_seen` when they were last seen."""
        by_seen: dict = {}
        for oid in oids:
            by_seen.setdefault((last_seen or {}).get(oid), []).append(oid)
        for seen, group in by_seen.items():
            update = {"stale_since": when} | ({"last_seen": seen, "last_scanned": seen} if seen else {})
            for start in range(0, len(group), BATCH):
                self.coll.update_many({"_id": {"$in": group[start:start + BATCH]}}, {"$set": update})

    def delete(self, oids: list[ObjectId]) -> int:
        n = 0
        for start in range(0, len(oids), BATCH):
            n += self.coll.delete_many({"_id": {"$in": oids[start:start + BATCH]}}).deleted_count
        return n


# -- last seen, as readers see it ------------------------------------------------------------------
# A scan writes only what changed, so a live object's stored `last_seen`/`last_scanned` is when it
# last changed; when it was last *seen* is recorded once per scan, on the environment
# (`last_scanned`). Stale objects keep when they were last seen (set when they went stale).

def _naive(t: datetime) -> datetime:
    return t.replace(tzinfo=None) if t.tzinfo else t


def served(doc: dict, scanned: dict[str, datetime], env: str | None = None) -> dict:
    """The document with `last_seen`/`last_scanned` as a reader should see them."""
    if doc.get("stale_since"):
        return doc
    t = scanned.get(doc.get("environment") or env or "")
    if t is None:
        return doc
    for f in ("last_seen", "last_scanned"):
        if f in doc and (not isinstance(doc[f], datetime) or _naive(doc[f]) < _naive(t)):
            doc[f] = t
    return doc


def scanned_between(scanned: dict[str, datetime | None], after: datetime | None, before: datetime | None) -> dict:
    """A filter for objects last seen between `after` and `before`, per environment (see `served`)."""
    rng = {k: v for k, v in (("$gte", after), ("$lte", before)) if v is not None}
    branches: list[dict] = []
    for env, t in scanned.items():
        branches.append({"environment": env, "stale_since": {"$exists": True}, "last_scanned": rng})
        live: dict = {"environment": env, "stale_since": {"$exists": False}}
        if t is None or (after is not None and _naive(t) < _naive(after)):
            branches.append(live | {"last_scanned": rng})
        elif before is None or _naive(t) <= _naive(before):
            branches.append(live | ({"last_scanned": {"$lte": before}} if before is not None else {}))
    return {"$or": branches}


def scan_times(store: Store, envs: list[str]) -> dict[str, datetime | None]:
    """When each environment's last full scan completed (its `last_scanned`)."""
    out: dict[str, datetime | None] = {e: None for e in envs}
    for d in store["environments_config"].find({"name": {"$in": list(envs)}}, {"name": 1, "last_scanned": 1}):
        out.update(scan_time_of(d))
    return out


def scan_time_of(env_config: dict) -> dict[str, datetime | None]:
    """`scan_times` of one environment whose configuration the caller has read already (no second query)."""
    t = env_config.get("last_scanned")
    return {env_config["name"]: t if isinstance(t, datetime) else None}
