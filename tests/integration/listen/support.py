"""Helpers shared by the listener's integration tests: a scanned store, and what to compare.

Comparisons are against a real full scan, not hand-written expectations: `snapshot` reduces
inventory, links and cliques to what a user sees (ids, paths, names, links by key, clique link
sets), leaving out times, scan ids, and what only the listener writes (instance status).
"""

from __future__ import annotations

import json

from app.envconfig.repository import EnvironmentConfigs
from app.store.store import Store
from scan.controller import ScanController, ScanOptions
from tests.fixtures import ZED

AMQP = ZED / "amqp"
SKIP_FIELDS = {"_id", "last_scanned", "last_seen", "first_seen", "last_scan_id", "stale_since", "status",
               "state_description", "OS-EXT-STS:vm_state", "clique", "_scan_parent"}


def full_scan(store: Store, env: str, clients_factory) -> None:
    res = ScanController(store, ScanOptions(env=env, serial=True), clients_factory=clients_factory).run()
    assert res.status in ("completed", "completed_with_errors"), res.reason


def snapshot(store: Store, env: str) -> dict:
    inv = {}
    for d in store["inventory"].find({"environment": env}):
        inv[(d["type"], d["id"])] = {k: v for k, v in d.items() if k not in SKIP_FIELDS and not k.startswith("_")}
    links = {}
    for d in store["links"].find({"environment": env}):
        links[(d["link_type"], d["source_id"], d["target_id"])] = (d.get("state"), json.dumps(d.get("attributes"), sort_keys=True))
    by_id = {str(d["_id"]): (d["link_type"], d["source_id"], d["target_id"]) for d in store["links"].find({"environment": env})}
    cliques = {}
    for d in store["cliques"].find({"environment": env}):
        cliques[d["focal_point_object_id"]] = sorted(by_id.get(str(l), ("?", str(l), "")) for l in d["links"])
    return {"inventory": inv, "links": links, "cliques": cliques}


def diff(a: dict, b: dict) -> dict:
    """What differs between two snapshots, small enough to read in a failed assertion."""
    out = {}
    for part in ("inventory", "links", "cliques"):
        x, y = a[part], b[part]
        only_a = sorted(map(str, set(x) - set(y)))[:10]
        only_b = sorted(map(str, set(y) - set(x)))[:10]
        changed = {}
        for k in set(x) & set(y):
            if x[k] != y[k]:
                if isinstance(x[k], dict):
                    changed[str(k)] = {f: (x[k].get(f), y[k].get(f)) for f in set(x[k]) | set(y[k])
                                       if x[k].get(f) != y[k].get(f)}
                else:
                    changed[str(k)] = (x[k], y[k])
        if only_a or only_b or changed:
            out[part] = {"only_listener": only_a, "only_scan": only_b, "changed": dict(list(changed.items())[:10])}
    return out


def add_env(store: Store, env: dict) -> dict:
    EnvironmentConfigs(store).add(dict(env))
    return EnvironmentConfigs(store).get(env["name"])
