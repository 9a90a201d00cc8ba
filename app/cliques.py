"""Clique documents (spec §5.5): one per focal point, keyed by the focal point's ObjectId."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from app.clock import Clock, utcnow
from app.store.store import Store


class Cliques:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store["cliques"]
        self.clock = clock

    def upsert(self, clique: dict, seen: datetime | None = None) -> None:
        for f in ("environment", "focal_point", "focal_point_type", "links"):
            if f not in clique:
                raise ValueError(f"clique lacks {f}")
        body = {key: v for key, v in clique.items() if key != "_id"}
        body["last_scanned"] = body["last_seen"] = seen or self.clock()
        self.coll.update_one({"focal_point": clique["focal_point"]}, {"$set": body}, upsert=True)

    def get(self, focal_point: ObjectId) -> dict | None:
        return self.coll.find_one({"focal_point": focal_point})

    def for_env(self, env: str) -> list[dict]:
        return list(self.coll.find({"environment": env}))

    def containing(self, node: ObjectId) -> list[dict]:
        """Cliques whose graph holds this object: the ones an event on it must rebuild."""
        return list(self.coll.find({"nodes": node}))

    def delete(self, focal_point: ObjectId) -> bool:
        return self.coll.delete_one({"focal_point": focal_point}).deleted_count == 1

    def delete_for_focal_points(self, oids: list[ObjectId]) -> int:
        return self.coll.delete_many({"focal_point": {"$in": list(oids)}}).deleted_count

    def clear(self, env: str) -> int:
        return self.coll.delete_many({"environment": env}).deleted_count
