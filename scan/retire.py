"""Retiring what the cloud no longer has (spec §9.5 fixed): stale on the first scan that
misses it, removed on the next, and never because a host could not be reached."""

from __future__ import annotations

from datetime import datetime

from bson import ObjectId

from app.cliques import Cliques
from app.inventory import Inventory
from app.links import Links
from app.store.store import Store


def _under(path: str, prefixes: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


def retire_objects(store: Store, env: str, scan_id: str, protected: list[str], now: datetime) -> dict[str, int]:
    inv, links, cliques = Inventory(store), Links(store), Cliques(store)
    stale, gone = [], []
    for d in inv.not_seen_in(env, scan_id):
        if _under(d.get("id_path") or "", protected):
            continue
        (gone if d.get("stale_since") else stale).append(d["_id"])
    inv.mark_stale(stale, now)
    removed_links = links.delete_touching(gone) if gone else 0
    removed_cliques = cliques.delete_for_focal_points(env, gone) if gone else 0
    removed = inv.delete(gone) if gone else 0
    return {"objects_stale": len(stale), "objects_removed": removed, "links_removed": removed_links,
            "cliques_removed": removed_cliques}


def retire_links(store: Store, env: str, scan_id: str, now: datetime,
                 protected: set[ObjectId] | None = None) -> dict[str, int]:
    """Links the links phase did not produce; those touching a protected object are kept."""
    coll = store["links"]
    stale, gone = [], []
    protected = protected or set()
    for d in coll.find({"environment": env, "last_scan_id": {"$ne": scan_id}},
                       {"_id": 1, "stale_since": 1, "source": 1, "target": 1}):
        if d.get("source") in protected or d.get("target") in protected:
            continue
        (gone if d.get("stale_since") else stale).append(d["_id"])
    for start in range(0, len(stale), 1000):
        coll.update_many({"_id": {"$in": stale[start:start + 1000]}}, {"$set": {"stale_since": now}})
    removed = Links(store).delete(gone)
    return {"links_stale": len(stale), "links_removed": removed}


def retire_cliques(store: Store, env: str, scan_id: str) -> int:
    """A focal point that no longer yields a clique loses its old one (the original kept it)."""
    old = [d["_id"] for d in store["cliques"].find({"environment": env, "last_scan_id": {"$ne": scan_id}}, {"_id": 1})]
    n = 0
    for start in range(0, len(old), 1000):
        n += store["cliques"].delete_many({"_id": {"$in": old[start:start + 1000]}}).deleted_count
    return n
