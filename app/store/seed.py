"""The seed collections (spec §8), loaded from our own JSON files in app/seed/.

Product facts (constants, supported environments, monitoring templates, hover attributes,
agent types) are refreshed on every init. Catalogues users may edit through the API
(link types, clique types, clique constraints) are only added when missing, so an init
never undoes a user's change. Each seeded document carries a `_seed` key so the refresh
is an idempotent upsert, safe when several services start at once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from importlib import resources
from typing import Callable

from pymongo import UpdateOne
from pymongo.errors import DuplicateKeyError


@dataclass(frozen=True)
class Seed:
    collection: str
    key: Callable[[dict], str]
    refresh: bool


def _env_key(d: dict) -> str:
    e = d["environment"]
    return f"{e['distribution']}"


SEEDS: tuple[Seed, ...] = (
    Seed("constants", lambda d: d["name"], refresh=True),
    Seed("supported_environments", _env_key, refresh=True),
    Seed("monitoring_config_templates", lambda d: f"{d['side']}|{d['type']}|{d['order']}", refresh=True),
    Seed("attributes_for_hover_on_data", lambda d: d["type"], refresh=True),
    Seed("network_agent_types", lambda d: d["type"], refresh=True),
    Seed("link_types", lambda d: d["type"], refresh=False),
    Seed("clique_types", lambda d: f"{d['name']}|{d.get('environment', '')}|{d['focal_point_type']}", refresh=False),
    Seed("clique_constraints", lambda d: f"{d['focal_point_type']}|{d.get('environment', '')}", refresh=False),
)


def load_seed(collection: str) -> list[dict]:
    text = resources.files("app.seed").joinpath(f"{collection}.json").read_text(encoding="utf-8")
    return json.loads(text)


TOMBSTONES = "seed_tombstones"


def forget_seed(get_collection, collection: str, doc: dict) -> None:
    """Remember that a user deleted this seeded document, so no later init brings it back."""
    if doc.get("_seed"):
        try:
            get_collection(TOMBSTONES).insert_one({"_id": f"{collection}|{doc['_seed']}", "collection": collection,
                                                   "key": doc["_seed"]})
        except DuplicateKeyError:
            pass


def seed_collections(get_collection) -> dict[str, int]:
    """Upsert every seed document; returns how many documents each collection was given."""
    counts = {}
    deleted = {d["_id"] for d in get_collection(TOMBSTONES).find({}, {"_id": 1})}
    for seed in SEEDS:
        docs = load_seed(seed.collection)
        ops = []
        for doc in docs:
            key = seed.key(doc)
            if not seed.refresh and f"{seed.collection}|{key}" in deleted:
                continue
            body = {**doc, "_seed": key}
            update = {"$set": body} if seed.refresh else {"$setOnInsert": body}
            ops.append(UpdateOne({"_seed": key}, update, upsert=True))
        if ops:
            get_collection(seed.collection).bulk_write(ops, ordered=False)
        counts[seed.collection] = len(docs)
    return counts
