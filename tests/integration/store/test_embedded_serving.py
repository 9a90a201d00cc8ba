"""The embedded store keeps answering a client's heartbeat while other clients' slow queries are queued, so the
API does not answer 503 with the store up (app.store.embedded_serving)."""

from __future__ import annotations

import math
import threading
import time

import pytest
from pymongo import MongoClient

from app.store.embedded import EmbeddedStore
from app.store.store import SERVING

DOCS = 20_000
MAX_FLOOD = 90      # connections of one pymongo client (its pool holds 100)


@pytest.fixture
def uri(tmp_path):
    embedded = EmbeddedStore(tmp_path / "home")
    yield embedded.ensure_running()
    embedded.stop()


def test_a_new_client_selects_the_store_while_slow_queries_flood_it(uri):
    loader = MongoClient(uri)
    coll = loader["flood"]["docs"]
    # an unindexed regex the store answers by loading every document in Python: a slow query, as a scan's
    # reads or a search over every name are on a big inventory; at least 0.1 s, however fast the machine
    slow = {"s": {"$regex": "^(value-)+9{7}$"}}
    docs, one = 0, 0.0
    while one < 0.1 and docs < 16 * DOCS:
        coll.insert_many([{"s": f"value-{i:06d}", "n": i} for i in range(docs, docs + max(docs, DOCS))])
        docs += max(docs, DOCS)
        started = time.perf_counter()
        assert coll.count_documents(slow) == 0
        one = time.perf_counter() - started
    # enough of them that, one after the other, they outlast the selection timeout and two heartbeats twice over
    flood_size = min(MAX_FLOOD, max(16, math.ceil(2 * (SERVING.select + 2 * SERVING.heartbeat) / one)))

    done: list[float] = []

    def flood() -> None:
        coll.count_documents(slow)
        done.append(time.perf_counter())

    threads = [threading.Thread(target=flood) for _ in range(flood_size)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    # what the API and the console connect with: 2 s to select a server, 1 s heartbeats
    client = MongoClient(uri, serverSelectionTimeoutMS=int(SERVING.select * 1000),
                         connectTimeoutMS=int(SERVING.select * 1000), heartbeatFrequencyMS=int(SERVING.heartbeat * 1000))
    try:
        answered_before = len(done)
        assert client.admin.command("ping")["ok"] == 1
        time.sleep(SERVING.heartbeat * 2)       # the client's monitor checks twice more: still selectable
        assert client["flood"].command("ping")["ok"] == 1
        still_queued = flood_size - len(done)
    finally:
        client.close()
        for t in threads:
            t.join()
        loader.close()
    # the flood really was still queued when the new client had been answered twice
    assert still_queued > 0, (flood_size, answered_before, one, docs)
