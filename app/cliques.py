"""Clique documents (spec §5.5): one per focal point.

The embedded store cannot match a non-`_id` ObjectId field by equality (nor inside an array),
so cliques are keyed by a synthetic `_key` (environment|focal point id) and list their nodes
and links as strings in `_nodes` and `_links`; the original fields (`focal_point`, `nodes`, ObjectIds) are kept as they were.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from bson import ObjectId

from app.clock import Clock, utcnow
from app.store.bulk import upsert_by_id
from app.store.keys import k, stable_id
from app.store.store import Store


def clique_key(env: str, focal_point: ObjectId) -> str:
    return k(env, str(focal_point))


def stored_form(clique: dict, seen: datetime, scan_id: str | None) -> tuple[ObjectId, dict]:
    """(`_id`, document) of a clique as stored: its original fields plus string copies of its
    node and link ids, which the embedded store can match inside an array (`$in`)."""
    for f in ("environment", "focal_point", "focal_point_type", "links"):
        if f not in clique:
            raise ValueError(f"clique lacks {f}")
    body = {key: v for key, v in clique.items() if key != "_id"}
    body["_key"] = clique_key(clique["environment"], clique["focal_point"])
    body["_nodes"] = [str(n) for n in clique.get("nodes", [])]
    body["_links"] = [str(n) for n in clique["links"]]
    body["last_scanned"] = body["last_seen"] = seen
    if scan_id is not None:
        body["last_scan_id"] = scan_id
    return stable_id("cliques", body["_key"]), body


class Cliques:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store["cliques"]
        self.clock = clock

    def upsert_many(self, cliques: Iterable[dict], seen: datetime | None = None, scan_id: str | None = None) -> int:
        """Write built cliques (the scanner's and the listener's), with the keys the store needs."""
        seen = seen or self.clock()
        return upsert_by_id(self.coll, [stored_form(c, seen, scan_id) for c in cliques], seen)

    def upsert(self, clique: dict, seen: datetime | None = None, scan_id: str | None = None) -> None:
        self.upsert_many([clique], seen, scan_id)

    def get(self, env: str, focal_point: ObjectId) -> dict | None:
        return self.coll.find_one({"_id": stable_id("cliques", clique_key(env, focal_point))})

    def for_env(self, env: str) -> list[dict]:
        return list(self.coll.find({"environment": env}))

    @staticmethod
    def with_link(link: ObjectId) -> dict:
        """Filter for the cliques whose graph holds this link."""
        return {"_links": {"$in": [str(link)]}}

    def containing(self, node: ObjectId) -> list[dict]:
        """Cliques whose graph holds this object: the ones an event on it must rebuild."""
        return list(self.coll.find({"_nodes": {"$in": [str(node)]}}))  # $in: see app.store.keys.oid_match

    def delete(self, env: str, focal_point: ObjectId) -> bool:
        return self.coll.delete_one({"_id": stable_id("cliques", clique_key(env, focal_point))}).deleted_count == 1

    def delete_for_focal_points(self, env: str, oids: list[ObjectId]) -> int:
        return self.coll.delete_many({"_key": {"$in": [clique_key(env, o) for o in oids]}}).deleted_count

    def not_seen_in(self, env: str, scan_id: str) -> list[dict]:
        return list(self.coll.find({"environment": env, "last_scan_id": {"$ne": scan_id}}))

    def clear(self, env: str) -> int:
        return self.coll.delete_many({"environment": env}).deleted_count
