"""Clique documents (spec §5.5): one per focal point.

The embedded store cannot match a non-`_id` ObjectId field by equality (nor inside an array),
so cliques are keyed by a synthetic `_key` (environment|focal point id) and list their nodes
and links as strings in `_nodes` and `_links`; the original fields (`focal_point`, `nodes`, ObjectIds) are kept as they were.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

import orjson
from bson import ObjectId

from app.clock import Clock, utcnow
from app.diffing import canonical_fragment, content_hash, content_hash_strict, without_times
from app.store.bulk import upsert_by_id
from app.store.keys import as_object_id, k, stable_id
from app.store.store import Store


def clique_key(env: str, focal_point: ObjectId) -> str:
    return k(env, str(focal_point))


def link_copy(link: dict) -> dict:
    """A clique's copy of a link (`links_detailed`): its fields, without our bookkeeping (`_` keys but
    `_id`) and without its times, which are not the clique's content."""
    return without_times(link, "_id")


class LinkCopies:
    """Each link's clique copy (`link_copy`) and its canonical text, made once for all the cliques built
    from the same link documents: at 100 hosts a link shows in about 10 cliques and a clique holds about
    40 links, and each clique copied (twice) and serialised each of its links anew. By the document's
    identity (an ObjectId hashes in Python); the documents are held here, so an identity is never reused.
    The copies are shared: never change one."""

    def __init__(self) -> None:
        self._copies: dict[int, dict] = {}
        self._texts: dict[int, object] = {}
        self._held: list[dict] = []

    def copy(self, link: dict) -> dict:
        """The link's copy; a copy made here is its own."""
        made = self._copies.get(id(link))
        if made is None:
            made = link_copy(link)
            self._copies[id(link)] = self._copies[id(made)] = made
            self._held += (link, made)
        return made

    def texts(self, copies: list[dict]) -> list | None:
        """The canonical text of each of these copies (made here), None if one has none."""
        out = []
        known = self._texts
        for c in copies:
            if self._copies.get(id(c)) is not c:   # not made here: no text known for it
                return None
            text = known.get(id(c), False)
            if text is False:
                text = known[id(c)] = canonical_fragment(c)
            if text is None:
                return None
            out.append(text)
        return out


def stored_form(clique: dict, seen: datetime, copies: LinkCopies | None = None) -> tuple[ObjectId, dict]:
    """(`_id`, document) of a clique as stored: its original fields plus string copies of its
    node and link ids, which the embedded store can match inside an array (`$in`), and the
    hash of its content, so an unchanged clique is not written again. With `copies`, the links'
    copies are those (one per link for every clique built from the same links)."""
    for f in ("environment", "focal_point", "focal_point_type", "links"):
        if f not in clique:
            raise ValueError(f"clique lacks {f}")
    body = {key: v for key, v in clique.items() if key != "_id"}
    if "links_detailed" in body:   # copies of links: their times are not the clique's content
        copy = link_copy if copies is None else copies.copy
        body["links_detailed"] = [copy(l) for l in body["links_detailed"]]
    body["_key"] = clique_key(clique["environment"], clique["focal_point"])
    body["_nodes"] = [str(n) for n in clique.get("nodes", [])]
    body["_links"] = [str(n) for n in clique["links"]]
    body["_hash"] = clique_hash(body, copies)
    body["last_scanned"] = body["last_seen"] = seen
    return stable_id("cliques", body["_key"]), body


#: when monitoring last checked a link: a clique rebuilt only because the checks ran again has not changed
CHECK_TIME = "status_timestamp"


def clique_hash(body: dict, copies: LinkCopies | None = None) -> str:
    """The hash a clique is stored with, of its content as built or as read back. With `copies` (which
    made `body`'s copies of links), each link's text is serialised once, not once per clique: the same
    bytes are hashed."""
    hashed = _hashed(body)
    if copies is not None and hashed is body and body.get("links_detailed"):
        texts = copies.texts(body["links_detailed"])
        if texts is not None:
            try:
                return content_hash_strict({**body, "links_detailed": texts})
            except (orjson.JSONEncodeError, TypeError):   # refused elsewhere: hashed the usual way
                pass
    return content_hash(hashed)


def _hashed(body: dict) -> dict:
    """What a clique's hash covers: its copies of links without the time of their last check (their
    status itself counts: a link that turned red changes the cliques that show it)."""
    detailed = body.get("links_detailed") or ()
    if not any(CHECK_TIME in l for l in detailed):
        return body
    return {**body, "links_detailed": [{k: v for k, v in l.items() if k != CHECK_TIME} for l in detailed]}


class Cliques:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store["cliques"]
        self.clock = clock

    def upsert_many(self, cliques: Iterable[dict], seen: datetime | None = None, only_changed: bool = False) -> int:
        """Write built cliques (the scanner's and the listener's), with the keys the store needs;
        with `only_changed`, those whose stored hash differs. Returns how many were written."""
        seen = seen or self.clock()
        forms = [stored_form(c, seen) for c in cliques]
        if only_changed and forms:
            stored = self.hashes([oid for oid, _ in forms])
            forms = [(oid, body) for oid, body in forms if stored.get(oid) != body["_hash"]]
        return upsert_by_id(self.coll, forms, seen) if forms else 0

    def upsert(self, clique: dict, seen: datetime | None = None) -> None:
        self.upsert_many([clique], seen)

    def index(self, env: str) -> dict[ObjectId, dict]:
        """What a full rescan compares with: every stored clique of `env` by `_id`, with its hash, its focal
        point and the plan it was built by (`_plan`, scan.cliques.CliquePlan.key)."""
        fields = {"_hash": 1, "_plan": 1, "focal_point": 1, "focal_point_type": 1}
        return {as_object_id(d["_id"]): d for d in self.coll.find({"environment": env}, fields)}

    def focal_points_near(self, env: str, oids: Iterable[ObjectId]) -> set[ObjectId]:
        """The focal points of the cliques of `env` that hold one of these objects."""
        keys = [str(o) for o in oids]
        out: set[ObjectId] = set()
        for start in range(0, len(keys), 1000):
            for c in self.coll.find({"_nodes": {"$in": keys[start:start + 1000]}}, {"focal_point": 1, "environment": 1}):
                if c.get("environment") == env:
                    out.add(as_object_id(c["focal_point"]))
        return out

    def hashes(self, oids: list[ObjectId]) -> dict[ObjectId, str | None]:
        """Stored content hashes of these cliques, by `_id`."""
        out: dict[ObjectId, str | None] = {}
        for start in range(0, len(oids), 1000):
            for d in self.coll.find({"_id": {"$in": oids[start:start + 1000]}}, {"_hash": 1}):
                out[as_object_id(d["_id"])] = d.get("_hash")
        return out

    def delete_ids(self, oids: list[ObjectId]) -> int:
        n = 0
        for start in range(0, len(oids), 1000):
            n += self.coll.delete_many({"_id": {"$in": oids[start:start + 1000]}}).deleted_count
        return n

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

    def clear(self, env: str) -> int:
        return self.coll.delete_many({"environment": env}).deleted_count
