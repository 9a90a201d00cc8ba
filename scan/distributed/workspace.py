"""A distributed scan's temporary collection, `scan_work_<scan id>`: its base and its workers' results.

Documents are carried as they are stored (app.keyenc), BSON-encoded and compressed, a few MB a
part (MongoDB refuses documents over 16 MB). A result counts once its `done.<chunk>` marker is in:
parts written by a worker that died before the marker are ignored, and when two workers finish the
same chunk (a redelivery), the first marker wins. The collection is dropped when the scan ends;
one left by a coordinator that died is dropped by the next distributed scan (`sweep`).
"""

from __future__ import annotations

import logging
import zlib
from datetime import datetime, timedelta, timezone

import bson
from bson import Binary, ObjectId
from bson.codec_options import CodecOptions
from pymongo.errors import DuplicateKeyError

from app.keyenc import decode, encode
from app.store.store import Store

log = logging.getLogger(__name__)

PREFIX = "scan_work_"
PART_BYTES = 4 * 1024 * 1024
LEFTOVER_AGE = timedelta(hours=6)
_CODEC = CodecOptions(tz_aware=True)


def pack(payload: dict) -> list[bytes]:
    """A payload as compressed BSON, cut into parts under PART_BYTES."""
    blob = zlib.compress(bson.encode(payload), 1)
    return [blob[i:i + PART_BYTES] for i in range(0, len(blob), PART_BYTES)] or [b""]


def unpack(parts: list[bytes]) -> dict:
    return bson.decode(zlib.decompress(b"".join(parts)), _CODEC)


def encode_docs(docs: list[dict]) -> list[dict]:
    return [encode(d) for d in docs]


def decode_docs(docs: list[dict]) -> list[dict]:
    return [decode(d) for d in docs]


class Workspace:
    def __init__(self, store: Store, scan_id: str):
        self.scan_id = scan_id
        self.name = PREFIX + scan_id
        self.coll = store.db[self.name]

    # -- writing --------------------------------------------------------------------------------
    def _put(self, key: str, payload: dict) -> int:
        parts = pack(payload)
        self.coll.insert_many([{"_id": f"{key}.part.{i}", "of": key, "i": i, "data": Binary(p)}
                               for i, p in enumerate(parts)])
        return len(parts)

    def put_base(self, docs: list[dict], meta: dict) -> None:
        n = self._put("base", {"docs": encode_docs(docs)})
        self.coll.insert_one({"_id": "base", "parts": n, **meta})

    def put_result(self, chunk: int, worker: str, payload: dict) -> bool:
        """Store one chunk's result; False when another worker's result for it is in already."""
        if self.done_marker(chunk) is not None:
            return False
        # one key per attempt: a redelivered chunk can run twice at once in one worker (--parts), and
        # the loser's clean-up must not take the winner's parts (it did when both wrote one key)
        key = f"chunk.{chunk}.{worker}.{ObjectId()}"
        n = self._put(key, payload)
        try:
            self.coll.insert_one({"_id": f"done.{chunk}", "kind": "done", "chunk": chunk, "key": key, "parts": n,
                                  "worker": worker})
        except DuplicateKeyError:
            self.coll.delete_many({"of": key})
            return False
        return True

    # -- reading --------------------------------------------------------------------------------
    def meta(self) -> dict | None:
        return self.coll.find_one({"_id": "base"})

    def _get(self, key: str, parts: int) -> dict:
        found = {d["i"]: bytes(d["data"]) for d in self.coll.find({"of": key}, {"i": 1, "data": 1})}
        if len(found) != parts:
            raise LookupError(f"{self.name}: {key} has {len(found)} of its {parts} parts")
        return unpack([found[i] for i in range(parts)])

    def base(self, meta: dict) -> list[dict]:
        return decode_docs(self._get("base", meta["parts"])["docs"])

    def done_marker(self, chunk: int) -> dict | None:
        return self.coll.find_one({"_id": f"done.{chunk}"})

    def done(self) -> dict[int, dict]:
        return {d["chunk"]: d for d in self.coll.find({"kind": "done"})}

    def result(self, marker: dict) -> dict:
        payload = self._get(marker["key"], marker["parts"])
        payload["docs"] = decode_docs(payload.get("docs") or [])
        return payload

    def drop(self) -> None:
        self.coll.drop()


def sweep(store: Store, now: datetime | None = None, older_than: timedelta = LEFTOVER_AGE) -> list[str]:
    """Drop the temporary collections of distributed scans that began more than `older_than` ago."""
    now = now or datetime.now(timezone.utc)
    dropped = []
    for name in store.db.list_collection_names():
        if not name.startswith(PREFIX):
            continue
        try:
            began = ObjectId(name[len(PREFIX):]).generation_time
        except Exception:
            continue
        if now - began > older_than:
            store.db[name].drop()
            dropped.append(name)
    if dropped:
        log.info("dropped %d leftover distributed scan collection(s): %s", len(dropped), ", ".join(dropped))
    return dropped
