"""Links between inventory objects (spec §4.1), keyed by environment, link type, source and target.

The original keyed links by (environment, source_id, target_id) only, so two relations
between the same pair overwrote each other; the link type is part of our key.
"""

from __future__ import annotations

from datetime import datetime
from typing import Iterable

from bson import ObjectId

from app.clock import Clock, utcnow
from app.diffing import FOREIGN, content, hash_of_content
from app.keyenc import decode, encode
from app.store.bulk import upsert_by_id, write_found
from app.store.keys import as_object_id, k, link_keys, stable_id
from app.store.store import Store
from app.stored_index import indexed

BATCH = 1000


def link_id(env: str, link_type: str, source_id: str, target_id: str) -> ObjectId:
    """The `_id` of a link: derived from its key, stable across scans."""
    return stable_id("links", env, link_type, source_id, target_id)


def _out(doc: dict | None) -> dict | None:
    if doc is None:
        return None
    doc = decode(doc)
    for f in ("_id", "source", "target"):
        if f in doc:
            doc[f] = as_object_id(doc[f])
    return doc


REQUIRED = ("environment", "link_type", "source", "target", "source_id", "target_id")
#: what names a stored link in the change log and in retirement (Links.described)
DESCRIBED = {"link_type": 1, "link_name": 1, "source_id": 1, "target_id": 1, "source": 1, "target": 1, "host": 1,
             "last_seen": 1}


def new_link(env: str, source: dict, target: dict, link_type: str | None = None, link_name: str | None = None,
             state: str = "up", host: str | None = None, attributes: dict | None = None,
             implicit: bool = False, **extra) -> dict:
    """A link document between two stored inventory objects, with the original's defaults."""
    attributes = dict(attributes or {})
    doc = {
        "environment": env,
        "link_type": link_type or f"{source['type']}-{target['type']}",
        "link_name": link_name if link_name is not None else f"{source.get('object_name', source['id'])}-{target.get('object_name', target['id'])}",
        "source": source["_id"], "source_id": source["id"],
        "target": target["_id"], "target_id": target["id"],
        "state": state, "link_weight": 0, "implicit": implicit,
        "source_label": attributes.get("source_label", ""), "target_label": attributes.get("target_label", ""),
        "host": host if host is not None else (source.get("host") or target.get("host")),
        "attributes": attributes,
    }
    doc.update(extra)
    return doc


class Links:
    def __init__(self, store: Store, clock: Clock = utcnow):
        self.coll = store["links"]
        self.clock = clock

    @staticmethod
    def check(link: dict) -> None:
        missing = [f for f in REQUIRED if link.get(f) in (None, "")]
        if missing:
            raise ValueError(f"link {link.get('source_id')}->{link.get('target_id')} lacks {', '.join(missing)}")

    @staticmethod
    def stored_body(link: dict, seen: datetime) -> tuple[ObjectId, dict]:
        """(`_id`, body) of a link as stored: encoded keys, lookup keys, content hash, times."""
        Links.check(link)
        plain = content(link)
        body = encode(plain)
        body.update(link_keys(link["environment"], link["link_type"], link["source_id"], link["target_id"]))
        body["_hash"] = hash_of_content(plain)
        body["last_scanned"] = body["last_seen"] = seen
        return link_id(link["environment"], link["link_type"], link["source_id"], link["target_id"]), body

    def upsert(self, links: Iterable[dict], seen: datetime | None = None) -> int:
        seen = seen or self.clock()
        return upsert_by_id(self.coll, [self.stored_body(link, seen) for link in links], seen)

    def write(self, added: list[dict], changed: list[tuple[dict, dict]], seen: datetime,
              hashes: dict[ObjectId, str] | None = None) -> int:
        """Write new links and changed ones (app.store.bulk.write_found)."""
        return write_found(self.coll, added, changed, seen, self.stored_body, self.check, hashes)

    def index(self, env: str) -> dict[ObjectId, dict]:
        """What a scan compares with: every stored link of `env` by `_id`, with its hash and what other
        writers set on it (monitoring status), which a rescan keeps; what names a link (`described`) is
        read for those the scan did not find again."""
        fields = {"_hash": 1, "stale_since": 1, **{f: 1 for f in sorted(FOREIGN)}}
        return indexed(_out(d) for d in self.coll.find({"environment": env}, fields))

    def described(self, oids: Iterable[ObjectId]) -> dict[ObjectId, dict]:
        """What names each link and what it joins, by `_id`."""
        return {d.pop("_id"): d for d in self._in("_id", list(oids), None, None, DESCRIBED)}

    def mark_stale(self, oids: list[ObjectId], when: datetime) -> None:
        for start in range(0, len(oids), BATCH):
            self.coll.update_many({"_id": {"$in": oids[start:start + BATCH]}}, {"$set": {"stale_since": when}})

    def get(self, env: str, link_type: str, source_id: str, target_id: str) -> dict | None:
        return _out(self.coll.find_one({"_id": link_id(env, link_type, source_id, target_id)}))

    def by_ids(self, oids: list[ObjectId]) -> list[dict]:
        """Links by `_id` (a clique's), in batches."""
        return self._in("_id", list(oids), None, None)

    def _in(self, field: str, values: list, link_type: str | None, env: str | None,
            fields: dict | None = None) -> list[dict]:
        out: list[dict] = []
        for start in range(0, len(values), BATCH):
            out += [_out(d) for d in self.coll.find({field: {"$in": values[start:start + BATCH]}}, fields)]
        if link_type:
            out = [d for d in out if d["link_type"] == link_type]
        if env:
            out = [d for d in out if d["environment"] == env]
        return out

    def from_nodes(self, sources: list[ObjectId], link_type: str | None = None) -> list[dict]:
        return self._in("source", list(sources), link_type, None)

    def to_nodes(self, targets: list[ObjectId], link_type: str | None = None) -> list[dict]:
        return self._in("target", list(targets), link_type, None)

    def of_type(self, env: str, link_type: str) -> list[dict]:
        return [_out(d) for d in self.coll.find({"_env_type": k(env, link_type)})]

    def exists(self, env: str, link_type: str) -> bool:
        return self.coll.find_one({"_env_type": k(env, link_type)}, {"_id": 1}) is not None

    def live(self, env: str) -> list[dict]:
        """The environment's links not marked stale."""
        query: dict = {"environment": env, "stale_since": {"$exists": False}}
        return [_out(d) for d in self.coll.find(query)]

    def for_env(self, env: str) -> list[dict]:
        return [_out(d) for d in self.coll.find({"environment": env})]

    def delete_touching(self, oids: list[ObjectId]) -> int:
        """Remove every link to or from these objects (when they leave the inventory)."""
        n = 0
        oids = list(oids)
        for start in range(0, len(oids), BATCH):
            chunk = oids[start:start + BATCH]
            n += self.coll.delete_many({"source": {"$in": chunk}}).deleted_count
            n += self.coll.delete_many({"target": {"$in": chunk}}).deleted_count
        return n

    def delete(self, oids: list[ObjectId]) -> int:
        n = 0
        for start in range(0, len(oids), BATCH):
            n += self.coll.delete_many({"_id": {"$in": oids[start:start + BATCH]}}).deleted_count
        return n

    def clear(self, env: str) -> int:
        return self.coll.delete_many({"environment": env}).deleted_count
