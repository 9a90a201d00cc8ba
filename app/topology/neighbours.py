"""The ways out of a batch of objects, read from the store for the path search (app.topology.path).

Links by their ends' indexed keys (`_env_source_id`, `_env_target_id`), both directions. Containment steps join an
object to the host, instance, vService or network holding it (through folders), and a host,
instance or vService to what it holds; a port also reaches the host it is bound to. They let a
host or a port reach the data plane; they are looked up only for an end without links of its own and for
the holders such a step reaches, and the path search makes them dear, so links come first.
"""

from __future__ import annotations

from app.inventory import Inventory
from app.keyenc import decode
from app.store.keys import as_object_id, k
from app.store.store import Store
from app.topology.path import CONTAINMENT, Step, describe, shortest, steps_from_links

BATCH = 1000
# One query per key up to this many keys, one `$in` beyond: the embedded store answers an equality on
# an indexed field from the index (a few ms) but scans the collection for `$in` (seconds at 34k links
# on a loaded machine); on MongoDB both are indexed, and past this size one `$in` is cheaper anyway.
PER_KEY = 400
HOLDERS = frozenset({"host", "instance", "vservice", "network", "switch"})   # a containment step may lead up to these
OPENS = frozenset({"host", "instance", "vservice", "switch"})               # ...and down from these (not networks: ports)
HOLDER_SUFFIXES = tuple(f" in {t}" for t in OPENS) + ("bound to host",)   # steps up to a holder open it
FIELDS = {"_id": 1, "id": 1, "type": 1, "parent_id": 1, "host": 1, "binding:host_id": 1, "stale_since": 1}
LINK_FIELDS = {"_id": 1, "source": 1, "target": 1, "source_id": 1, "target_id": 1, "link_type": 1, "link_name": 1,
               "host": 1, "state": 1, "status": 1, "status_value": 1, "implicit": 1, "stale_since": 1}


def _folder(doc: dict) -> bool:
    return str(doc.get("type") or "").endswith("_folder")


class StoreNeighbours:
    """Callable for app.topology.path.shortest over one environment's links and inventory."""

    def __init__(self, store: Store, env: str, endpoints: tuple = ()):
        self.env = env
        # containment is looked up for the two ends and for what a containment step reached
        # (a port's host, a host's pNICs): elsewhere the links already join an object to its holder
        self.open = set(endpoints)
        self.ends = set(endpoints)
        self.links = store["links"]
        self.inventory = store["inventory"]
        self.queries = 0

    def _find(self, coll, query: dict, fields: dict) -> list[dict]:
        self.queries += 1
        docs = list(coll.find(query, fields))
        for d in docs:
            for f in ("_id", "source", "target"):
                if f in d:
                    d[f] = as_object_id(d[f])
        return docs

    def _lookup(self, coll, field: str, values: list, fields: dict | None) -> list[dict]:
        values = list(dict.fromkeys(values))
        if len(values) <= PER_KEY:
            return [d for v in values for d in self._find(coll, {field: v}, fields)]
        out: list[dict] = []
        for start in range(0, len(values), BATCH):
            out += self._find(coll, {field: {"$in": values[start:start + BATCH]}}, fields)
        return out

    def _by(self, field: str, values: list) -> list[dict]:
        return self._lookup(self.inventory, field, values, FIELDS)

    def __call__(self, batch: list) -> dict:
        """Steps out of each object of `batch` (inventory ids), by the indexed string keys of links."""
        ids = list(batch)
        keys = [k(self.env, i) for i in ids]
        found = self._lookup(self.links, "_env_source_id", keys, LINK_FIELDS)
        found += self._lookup(self.links, "_env_target_id", keys, LINK_FIELDS)
        steps = steps_from_links(found, set(ids))
        # an end with links of its own reaches the data plane through them; one without (a host, a port)
        # goes through what holds it or what it holds
        holders = [i for i in ids if i in self.open and (i not in self.ends or i not in steps)]
        for oid, extra in (self.containment(holders) if holders else {}).items():
            steps.setdefault(oid, []).extend(extra)
            self.open.update(step.other for step in extra if step.link_type.endswith(HOLDER_SUFFIXES))
        return steps

    def containment(self, ids: list) -> dict:
        """Containment steps of the objects that have them: up to their holder, down from a holder."""
        docs = self._by("_env_id", [k(self.env, i) for i in ids])
        out: dict = {}
        up = [d for d in docs if d.get("parent_id") and d.get("type") not in ("region", "environment")]
        parents = {d["id"]: d for d in self._by("_env_id", [k(self.env, p) for p in {d["parent_id"] for d in up}])}
        grand = {d["id"]: d for d in self._by("_env_id", [k(self.env, p["parent_id"]) for p in parents.values()
                                                            if _folder(p) and p.get("parent_id")])}
        for d in up:
            holder = parents.get(d["parent_id"])
            if holder is not None and _folder(holder):
                holder = grand.get(holder.get("parent_id"))
            if holder is not None and holder.get("type") in HOLDERS:
                out.setdefault(d["id"], []).append(
                    Step(holder["id"], CONTAINMENT, "containment", f"{d.get('type')} in {holder['type']}"))
        bound = [d for d in docs if d.get("type") == "port" and d.get("binding:host_id")]
        if bound:
            hosts = {h["id"]: h for h in self._by("_env_id", [k(self.env, d["binding:host_id"]) for d in bound])
                     if h.get("type") == "host"}
            for d in bound:
                h = hosts.get(d["binding:host_id"])
                if h is not None:
                    out.setdefault(d["id"], []).append(Step(h["id"], CONTAINMENT, "containment", "port bound to host"))
        opens = {d["id"]: d for d in docs if d.get("type") in OPENS}
        if opens:
            children = self._by("_env_parent", [k(self.env, i) for i in opens])
            folders = [c for c in children if _folder(c)]
            children += self._by("_env_parent", [k(self.env, f["id"]) for f in folders]) if folders else []
            folder_parent = {f["id"]: f["parent_id"] for f in folders}
            for c in children:
                if _folder(c):
                    continue
                holder = opens.get(c.get("parent_id")) or opens.get(folder_parent.get(c.get("parent_id")))
                if holder is not None:
                    out.setdefault(holder["id"], []).append(
                        Step(c["id"], CONTAINMENT, "containment", f"{holder['type']} holds {c.get('type')}"))
        return out


class UnknownObject(LookupError):
    def __init__(self, which: str, object_id: str):
        super().__init__(f"no object {object_id!r} in this environment")
        self.which = which


def path_between(store: Store, env: str, source_id: str, target_id: str) -> dict:
    """The described path (app.topology.path.describe) between two objects named by inventory id."""
    inv = Inventory(store)
    ends = []
    for which, oid in (("source", source_id), ("target", target_id)):
        doc = inv.get(env, oid)
        if doc is None:
            raise UnknownObject(which, oid)
        ends.append(doc)
    search = StoreNeighbours(store, env, (ends[0]["id"], ends[1]["id"]))
    result = shortest(ends[0]["id"], ends[1]["id"], search)
    ids = {n for n, _ in result["chain"]} | {n for s in result["stops"] or [] for n in s["farthest"]}
    found = search._lookup(search.inventory, "_env_id", [k(env, i) for i in ids], None) if ids else []
    docs = {d["id"]: decode(d) for d in found}
    out = describe(result, docs, ends[0], ends[1])
    out["environment"] = env
    out["queries"] = search.queries
    return out
