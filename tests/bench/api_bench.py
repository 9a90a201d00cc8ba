"""REST API over the embedded store with many inventory objects: by id, a 1,000-row page, links by source,
search suggestions.

Requests go through the whole falcon app in-process (routing, auth by token, validation,
store query over the wire, JSON) but not through gunicorn's socket. Objects are loaded with
bulk inserts of documents shaped as app.inventory writes them. CALIPSO_BENCH_OBJECTS sets the
count (default 1,000,000; loading that takes a few minutes).
"""

from __future__ import annotations

import os
import random
import statistics
import tempfile
import time
from datetime import datetime, timezone
from pathlib import Path

from bson import ObjectId
from falcon import testing

from api.app import create_app
from api.settings import Settings
from app.store.embedded import EmbeddedStore
from app.store.init import init_db
from api.cursor import encode_cursor
from app.store.keys import link_keys, name_key, object_keys
from app.store.store import Store, StoreLocation

ENV = "bench"
PER_HOST = 1000
BATCH = 5000


def _cpu_model() -> str:
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            return next((line.split(":", 1)[1].strip() for line in f if line.startswith("model name")), "unknown CPU")
    except OSError:
        return "unknown CPU"


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def _objects(n: int, now: datetime):
    """Hosts with PER_HOST vNICs each, as inventory documents (synthetic keys included)."""
    hosts = max(1, n // (PER_HOST + 1))
    for h in range(hosts):
        hid = f"host-{h}"
        yield {"_id": ObjectId(), "environment": ENV, "id": hid, "type": "host", "name": hid, "object_name": hid,
               "parent_id": ENV, "parent_type": "environment", "id_path": f"/{ENV}/{hid}", "name_path": f"/{ENV}/{hid}",
               "show_in_tree": True, "host": hid, "last_scanned": now, **object_keys(ENV, "host", hid, ENV),
               **name_key(hid)}
        for i in range(PER_HOST):
            vid = f"{hid}-tap{i:05d}"
            yield {"_id": ObjectId(), "environment": ENV, "id": vid, "type": "vnic", "name": vid, "object_name": vid,
                   "parent_id": hid, "parent_type": "host", "id_path": f"/{ENV}/{hid}/{vid}",
                   "name_path": f"/{ENV}/{hid}/{vid}", "show_in_tree": True, "host": hid,
                   "mac_address": f"fa:16:3e:{h % 256:02x}:{i // 256:02x}:{i % 256:02x}", "last_scanned": now,
                   **object_keys(ENV, "vnic", vid, hid), **name_key(vid)}


def _load(store: Store, n: int) -> tuple[int, float]:
    now = datetime.now(timezone.utc)
    coll = store["inventory"]
    batch, count, t = [], 0, time.perf_counter()
    for doc in _objects(n, now):
        batch.append(doc)
        if len(batch) >= BATCH:
            coll.insert_many(batch, ordered=False)
            count += len(batch)
            batch = []
    if batch:
        coll.insert_many(batch, ordered=False)
        count += len(batch)
    return count, time.perf_counter() - t


def _links(store: Store, hosts: int, per_host: int) -> int:
    """Links host -> vNIC for the first hosts (links by source: `per_host` each)."""
    inv = store["inventory"]
    docs = []
    for h in range(hosts):
        host = inv.find_one({"_key": f"{ENV}|host|host-{h}"})
        for child in inv.find({"_env_parent": f"{ENV}|host-{h}"}, {"_id": 1, "id": 1}).limit(per_host):
            docs.append({"environment": ENV, "link_type": "host-vnic", "link_name": child["id"], "source": host["_id"],
                         "source_id": host["id"], "target": child["_id"], "target_id": child["id"], "state": "up",
                         "link_weight": 0, "implicit": False, "host": host["id"], "attributes": {},
                         **link_keys(ENV, "host-vnic", host["id"], child["id"])})
    for start in range(0, len(docs), BATCH):
        store["links"].insert_many(docs[start:start + BATCH], ordered=False)
    return len(docs)


def _rows(n: int):
    def check(body: dict) -> None:
        assert len(body["objects"]) == n, len(body["objects"])
    return check


class Timed(list):
    """Wall milliseconds per request, and the CPU milliseconds per request of the store process and of the API
    (this process): on a loaded machine the CPU figures are the ones to compare."""
    store_cpu_ms = api_cpu_ms = 0.0


STORE_PID = [0]


def _time(client, headers, path, query, samples: int, check) -> Timed:
    from tests.bench.store_bench import _store_cpu_s

    out = Timed()
    store0, api0 = _store_cpu_s(STORE_PID[0]), time.process_time()
    for i in range(samples):
        q = query(i)
        t = time.perf_counter()
        r = client.simulate_get(path, query_string=q, headers=headers)
        out.append((time.perf_counter() - t) * 1000)
        assert r.status_code == 200, (q, r.text[:200])
        check(r.json)
    out.store_cpu_ms = (_store_cpu_s(STORE_PID[0]) - store0) * 1000 / samples
    out.api_cpu_ms = (time.process_time() - api0) * 1000 / samples
    return out


def run() -> None:
    total = int(os.environ.get("CALIPSO_BENCH_OBJECTS", "1000000"))
    with tempfile.TemporaryDirectory() as home:
        embedded = EmbeddedStore(Path(home))
        uri = embedded.ensure_running()
        STORE_PID[0] = embedded.read_state().pid
        try:
            store = Store.connect(StoreLocation(uri + "apibench", "bench", embedded=True), timeout=60)
            init_db(store)
            n, load_s = _load(store, total)
            hosts = max(1, n // (PER_HOST + 1))
            link_hosts = min(20, hosts)
            n_links = _links(store, link_hosts, 100)
            store["environments_config"].insert_one({"name": ENV, "auth": {"view-env": [], "edit-env": []}})
            app = create_app(store, Settings(bcrypt_rounds=4))
            app.deps.extra["users"].add("bench", "bench-password", admin=True)
            client = testing.TestClient(app)
            token = client.simulate_post("/auth/tokens", json={"auth": {"methods": ["credentials"], "credentials": {
                "username": "bench", "password": "bench-password"}}}).json["token"]
            h = {"X-Auth-Token": token}
            rnd = random.Random(7)
            ids = [f"host-{rnd.randrange(hosts)}-tap{rnd.randrange(PER_HOST):05d}" for _ in range(500)]
            by_id = _time(client, h, "/inventory", lambda i: f"env_name={ENV}&id={ids[i]}", 500,
                          lambda b: b["id"])
            children = _time(client, h, "/inventory",
                             lambda i: f"env_name={ENV}&parent_id=host-{rnd.randrange(hosts)}&page_size=1000", 30,
                             lambda b: len(b["objects"]) == 1000 or (_ for _ in ()).throw(AssertionError(len(b["objects"]))))
            first_pages = _time(client, h, "/inventory", lambda i: f"env_name={ENV}&page={i}&page_size=1000", 20,
                                lambda b: len(b["objects"]) == 1000)
            deep = max(0, n // 1000 - 2)
            deep_pages = _time(client, h, "/inventory", lambda i: f"env_name={ENV}&page={max(0, deep - i)}&page_size=1000", 5,
                               lambda b: len(b["objects"]) == 1000)
            # the same deep pages as a client walking with next_after reaches them: the cursor of the row before
            keys = sorted(d["_key"] for d in _objects(n, datetime.now(timezone.utc)))
            starts = [max(1, deep - i) * 1000 for i in range(20)]
            deep_after = _time(client, h, "/inventory",
                               lambda i: f"env_name={ENV}&page_size=1000&after={encode_cursor(keys[starts[i] - 1])}", 20,
                               _rows(1000))
            first_after = _time(client, h, "/inventory",
                                lambda i: f"env_name={ENV}&page_size=1000&after={encode_cursor(keys[1000 * (i + 1) - 1])}",
                                20, _rows(1000))
            typed = _time(client, h, "/inventory", lambda i: f"env_name={ENV}&type=vnic&page={i}&page_size=1000", 10,
                          lambda b: len(b["objects"]) == 1000)
            by_source = _time(client, h, "/links", lambda i: f"env_name={ENV}&source_id=host-{i % link_hosts}", 200,
                              lambda b: len(b["links"]) == 100 or (_ for _ in ()).throw(AssertionError(len(b["links"]))))
            link_by_id_docs = [str(d["_id"]) for d in store["links"].find({}, {"_id": 1}).limit(200)]
            link_by_id = _time(client, h, "/links", lambda i: f"env_name={ENV}&id={link_by_id_docs[i]}", 200,
                               lambda b: b["link_type"])
            # what the console's search box sends while one types (ui/static/js/calipso.js): the start of a name,
            # any case: a common one (many matches, first 15 by name), a rare one (one host's vNIC), and one that
            # matches nothing
            common = _time(client, h, "/search/inventory", lambda i: f"match=prefix&limit=15&query=HOST-{i % 10}", 20,
                           lambda b: len(b["objects"]) == 15 or (_ for _ in ()).throw(AssertionError(len(b["objects"]))))
            rare = _time(client, h, "/search/inventory",
                         lambda i: f"match=prefix&limit=15&query=Host-{rnd.randrange(hosts)}-TAP{rnd.randrange(PER_HOST):05d}",
                         20, lambda b: len(b["objects"]) >= 1 or (_ for _ in ()).throw(AssertionError(b)))
            none = _time(client, h, "/search/inventory", lambda i: f"match=prefix&limit=15&query=nothing-{i}", 10,
                         lambda b: len(b["objects"]) == 0 or (_ for _ in ()).throw(AssertionError(b)))
            # what Enter sends (the results page, /search): any part of the name, which reads every name
            contains = _time(client, h, "/search/inventory",
                             lambda i: f"limit=100&query=tap{rnd.randrange(PER_HOST):05d}-nothing", 5,
                             lambda b: len(b["objects"]) == 0 or (_ for _ in ()).throw(AssertionError(b)))
        finally:
            embedded.stop()

    def row(name, samples, goal=""):
        return (name, f"{statistics.median(samples):7.2f}", f"{_pct(samples, 0.99):7.2f}",
                f"{samples.store_cpu_ms:9.2f}", f"{samples.api_cpu_ms:7.2f}", goal)

    rows = [
        row("object by id (GET /inventory?id=)", by_id, "p99 <= 10 ms"),
        row("1,000 children of a host (parent_id)", children, "<= 100 ms"),
        row("1,000-row page, pages 0-19 of the env", first_pages, "<= 100 ms"),
        row(f"1,000-row page, deep (page={deep}, skips)", deep_pages),
        row("1,000-row page, first 20 by cursor (after=)", first_after, "<= 100 ms"),
        row(f"1,000-row page, deep (~{deep}) by cursor (after=)", deep_after, "<= 100 ms"),
        row("1,000-row page of one type (type=vnic)", typed, "<= 100 ms"),
        row("links by source (100 links)", by_source),
        row("link by ObjectId", link_by_id),
        row("search suggestion, common part (15 of many)", common, "<= 200 ms"),
        row("search suggestion, one object's name", rare, "<= 200 ms"),
        row("search suggestion, no match", none, "<= 200 ms"),
        row("search results page, part of a name, no match", contains),
    ]
    print(f"{n} inventory objects ({hosts} hosts x {PER_HOST} vNICs) loaded in {load_s:.0f} s "
          f"({n / load_s:.0f}/s); {n_links} links; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs "
          f"({_cpu_model()})")
    width = max(len(r[0]) for r in rows)
    print(f"{'request':{width}}  {'p50 ms':>7}  {'p99 ms':>7}  {'store CPU':>9}  {'API CPU':>7}  goal (quiet machine)")
    for name, p50, p99, store_cpu, api_cpu, goal in rows:
        print(f"{name:{width}}  {p50}  {p99}  {store_cpu}  {api_cpu}  {goal}")
    print("(CPU columns: milliseconds of CPU per request, of the store process and of the API)")
