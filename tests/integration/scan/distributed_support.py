"""What the distributed scan tests share: a simulated cloud scanned locally once (the reference), fresh
stores, and comparing two stores document by document."""

from __future__ import annotations

import uuid

import pytest

from app.diffing import content_hash
from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions

ENV = "dist"
COLLECTIONS = ("inventory", "links", "cliques")


def fresh_store(uri: str, env_doc: dict, home: str | None = None) -> Store:
    name = f"t_{uuid.uuid4().hex[:12]}"
    store = Store.connect(StoreLocation(f"{uri}{name}", "test", embedded=True, home=home))
    init_db(store)
    EnvironmentConfigs(store).add(env_doc)
    return store


def picture(store: Store) -> dict[str, dict]:
    """Every object, link and clique of the environment by its key, with its content hash. A clique's
    clique type is named by its focal type (each database seeds clique types under its own ids)."""
    types = {d["_id"]: d.get("focal_point_type") for d in store["clique_types"].find({})}
    out: dict[str, dict] = {}
    for coll in COLLECTIONS:
        for d in store[coll].find({"environment": ENV}):
            d = dict(d)
            if coll == "cliques":
                d["clique_type"] = types.get(d.get("clique_type"), d.get("clique_type"))
                d["clique_types"] = sorted(str(types.get(t, t)) for t in d.get("clique_types") or [])
            out[f"{coll}:{d['_id']}"] = {"hash": content_hash(d), "doc": d}
    return out


def differences(a: dict, b: dict) -> list[str]:
    """What differs between two pictures (keys missing on either side, documents whose content differs)."""
    out = [f"only in the local scan: {k}" for k in sorted(set(a) - set(b))]
    out += [f"only in the distributed scan: {k}" for k in sorted(set(b) - set(a))]
    for k in sorted(set(a) & set(b)):
        if a[k]["hash"] != b[k]["hash"]:
            da, db = a[k]["doc"], b[k]["doc"]
            fields = sorted(f for f in set(da) | set(db) if not f.startswith("_") and da.get(f) != db.get(f))
            out.append(f"{k} differs in {fields}")
    return out


def work_collections(store: Store) -> list[str]:
    return [n for n in store.db.list_collection_names() if n.startswith("scan_work_")]


@pytest.fixture(scope="module")
def cloud(tmp_path_factory, store_uri):
    """A simulated cloud (in this process; workers reach it over its sockets), scanned locally once:
    `cloud.reference` is that scan's picture, `cloud.conditions` its live latency and faults."""
    from simulator.faults import Conditions
    from tests.scan_support.sim import start_in_process

    conditions = Conditions()
    sim = start_in_process(ENV, tmp_path_factory.mktemp("dist-sim"), computes=6, instances=3, networks=3,
                           conditions=conditions)
    sim.conditions = conditions
    reference = fresh_store(store_uri, sim.env)
    try:
        res = ScanController(reference, ScanOptions(env=ENV)).run()
        assert res.status == "completed", res.reason
        sim.reference = picture(reference)
        yield sim
    finally:
        reference.client.drop_database(reference.db.name)
        reference.close()
        sim.stop()
