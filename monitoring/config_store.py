"""The `monitoring_config` collection: `{environment, host, type, side, config}` per generated file.

A new generation replaces the environment's documents (those no longer generated are removed), so
the collection always says what the hosts should hold. Keys are encoded for MongoDB (check names
hold dots). The server files are stored, as the original did, under the Sensu server's address.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime

from pymongo import DeleteMany, UpdateOne

from app.keyenc import decode, encode
from app.store.keys import as_object_id, stable_id
from monitoring.generate import Generated

COLLECTION = "monitoring_config"
BATCH = 500


def doc_id(env: str, host: str, file_type: str):
    return stable_id(COLLECTION, env, host, file_type)


def _digest(config: dict) -> str:
    return hashlib.blake2b(json.dumps(config, sort_keys=True).encode(), digest_size=16).hexdigest()


def save(store, env: str, server_host: str, gen: Generated, when: datetime) -> int:
    """Store every generated file that changed (a rescan of an unchanged cloud writes nothing);
    returns how many documents were written."""
    coll = store[COLLECTION]
    stored = {as_object_id(d["_id"]): d.get("digest") for d in coll.find({"environment": env}, {"digest": 1})}
    ops, keep = [], []
    items = [("server", server_host, f, c) for f, c in gen.server.items()]
    items += [("client", h, f, c) for h, files in gen.hosts.items() for f, c in files.items()]
    for side, host, file_type, config in items:
        _id = doc_id(env, host, file_type if side == "client" else f"server/{file_type}")
        keep.append(_id)
        digest = _digest(config)
        if stored.get(_id) == digest:
            continue
        ops.append(UpdateOne({"_id": _id}, {"$set": {"environment": env, "host": host, "type": file_type,
                                                     "side": side, "config": encode(config), "digest": digest,
                                                     "generated_at": when}}, upsert=True))
    for start in range(0, len(ops), BATCH):
        coll.bulk_write(ops[start:start + BATCH], ordered=False)
    kept = set(keep)
    stale = [_id for _id in stored if _id not in kept]
    if stale:
        coll.bulk_write([DeleteMany({"_id": {"$in": stale[i:i + BATCH]}}) for i in range(0, len(stale), BATCH)])
    return len(ops)


def load(store, env: str) -> list[dict]:
    """The stored files of an environment, configs decoded."""
    out = []
    for d in store[COLLECTION].find({"environment": env}):
        d = dict(d)
        d["config"] = decode(d.get("config") or {})
        out.append(d)
    return out


def as_generated(docs: list[dict]) -> Generated:
    """Stored documents back as a Generated (for `--monitoring_setup_only`: deploy what is stored)."""
    gen = Generated()
    for d in docs:
        if d.get("side") == "server":
            gen.server[d["type"]] = d["config"]
        else:
            gen.hosts.setdefault(d["host"], {})[d["type"]] = d["config"]
    for host, files in gen.hosts.items():
        gen.checks[host] = {"checks": len((files.get("client.json") or {}).get("checks") or {})}
    gen.errors = {}
    return gen


def clients_of(store) -> dict[str, tuple[str, str]]:
    """Sensu client name -> (environment, host), from the stored client.json files."""
    out = {}
    for d in store[COLLECTION].find({"type": "client.json", "side": "client"}, {"environment": 1, "host": 1,
                                                                                "config": 1}):
        name = ((d.get("config") or {}).get("client") or {}).get("name")
        if name:
            out[name] = (d["environment"], d["host"])
    return out
