"""/tree: the navigation tree of an environment, one level at a time, and the chain down to an object.

`/tree` gives the children of one node (the environment root by default) that are shown in the
tree, each saying whether it has children of its own, so a tree can load lazily and draw its
arrows without a query per node. `/tree/path` gives the ancestors of an object from the root,
so a page can open the tree along an object's `id_path`.
"""

from __future__ import annotations

import falcon

from api.errors import bad_request, not_found
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.errors import Problem
from app.store.keys import k
from app.topology.cards import named

NODE_FIELDS = ("id", "name", "object_name", "type", "id_path", "name_path", "parent_id", "clique", "status",
               "stale_since", "last_seen", "host", "environment")
NODE = obj({"id": STR, "name": STR, "type": STR, "id_path": STR, "has_children": {"type": "boolean"}, "detail": STR},
           required=("id", "type", "has_children"))
CHILDREN = obj({"children": {"type": "array", "items": NODE}, "more": {"type": "integer"}},
               required=("children", "more"))
PATH = obj({"path": {"type": "array", "items": NODE}}, required=("path",))
LIMIT = Param("limit", "int", default=500, minimum=1, maximum=5000, doc="most children returned (the rest is counted in `more`)")


# what a port is for when its device is no inventory object (Neutron's device_owner)
OWNERS = {"network:dhcp": "DHCP", "network:router_interface": "router interface", "network:router_gateway":
          "router gateway", "network:floatingip": "floating IP", "network:ha_router_replicated_interface":
          "HA router interface", "network:router_interface_distributed": "DVR interface"}


def _node(doc: dict, with_children: set[str], details: dict[str, str] | None = None) -> dict:
    out = {f: doc[f] for f in NODE_FIELDS if doc.get(f) is not None}
    out["name"] = str(doc.get("object_name") or doc.get("name") or doc.get("id"))
    out["has_children"] = doc.get("id") in with_children
    detail = (details or {}).get(str(doc.get("id")))
    if detail:
        out["detail"] = detail
    return out


def _port_details(store, env: str, docs: list[dict]) -> dict[str, str]:
    """{port id: what it belongs to}: a port is named by its MAC, which tells an operator nothing; its
    device's name (the instance) or, for a device that is no inventory object, its role (DHCP, router
    interface), in one batched read for the whole level."""
    ports = [d for d in docs if d.get("type") == "port"]
    if not ports:
        return {}
    names = named(store, env, [str(d["device_id"]) for d in ports if d.get("device_id")])
    out = {}
    for d in ports:
        device = names.get(str(d.get("device_id") or ""))
        owner = str(d.get("device_owner") or "")
        text = device["name"] if device else OWNERS.get(owner) or (owner.split(":", 1)[-1].replace("_", " ") if owner else "")
        if text:
            out[str(d["id"])] = text
    return out


EXACT_UP_TO = 60


def _parents_with_children(coll, env: str, docs: list[dict]) -> set[str]:
    """Which of these objects have children of their own.

    One indexed probe per object up to EXACT_UP_TO objects; past that (a folder of hundreds of
    hosts), one probe per object type, its answer taken for every object of that type, so a
    level costs a few queries, not hundreds (an arrow may then open on nothing; never the
    other way round for the probed type). The embedded store answers `$in` and `$group` by
    scanning, so neither helps here.
    """
    if len(docs) <= EXACT_UP_TO:
        return {d["id"] for d in docs if _has_shown_child(coll, k(env, d["id"]))}
    by_type: dict[str, bool] = {}
    for d in docs:
        t = str(d.get("type"))
        if t not in by_type:
            by_type[t] = _has_shown_child(coll, k(env, d["id"]))
    return {d["id"] for d in docs if by_type[str(d.get("type"))]}


def _has_shown_child(coll, parent_key: str) -> bool:
    """Whether a child of the node is shown in the tree. Any child first, by the index alone (nearly every
    child is shown); only when that one is hidden, the children are looked through for one that is not."""
    first = coll.find_one({"_env_parent": parent_key}, {"show_in_tree": 1})
    if first is None:
        return False
    if first.get("show_in_tree", True) is not False:
        return True
    return coll.find_one({"_env_parent": parent_key, "show_in_tree": {"$ne": False}}, {"_id": 1}) is not None


def _projection() -> dict:
    return {f: 1 for f in NODE_FIELDS + ("show_in_tree", "device_id", "device_owner")}


class Tree(Resource):
    operations = {"GET": Operation(
        "Children of one tree node (the environment itself by default), each with has_children",
        query=(Param("env_name", required=True), Param("parent_id", doc="id of the node; default: the environment root"),
               LIMIT), env_scoped=True, tags=("inventory",), response=CHILDREN)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        env = self.envs(req).view(v["env_name"])["name"]
        parent = v.get("parent_id", env)
        coll = self.store["inventory"]
        docs = [d for d in coll.find({"_env_parent": k(env, parent)}, _projection()) if d.get("show_in_tree", True)]
        docs.sort(key=lambda d: (str(d.get("object_name") or d.get("name") or d.get("id")).lower(), str(d.get("id"))))
        shown = docs[:v["limit"]]
        with_children = _parents_with_children(coll, env, shown)
        details = _port_details(self.store, env, shown)
        resp.media = {"children": [_node(d, with_children, details) for d in shown], "more": len(docs) - len(shown)}


class TreePath(Resource):
    operations = {"GET": Operation(
        "The chain of tree nodes from the environment root down to an object (the object last)",
        query=(Param("env_name", required=True), Param("id", required=True, doc="inventory id of the object")),
        env_scoped=True, tags=("inventory",), response=PATH)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        env = self.envs(req).view(v["env_name"])["name"]
        coll = self.store["inventory"]
        target = coll.find_one({"_env_id": k(env, v["id"])}, _projection())
        if target is None:
            raise not_found(f"no object {v['id']} in environment {env}")
        id_path = str(target.get("id_path") or "")
        parts = [p for p in id_path.split("/") if p]
        if not parts or parts[0] != env:
            raise bad_request([Problem("id", f"object {v['id']} has no id_path under {env}")])
        ancestors = parts[1:-1]
        by_path: dict[str, dict] = {}
        for a in ancestors:   # one indexed read each: the embedded store answers `$in` by scanning
            for d in coll.find({"_env_id": k(env, a)}, _projection()):
                by_path[str(d.get("id_path"))] = d
        chain = []
        for depth in range(2, len(parts)):
            d = by_path.get("/" + "/".join(parts[:depth]))
            if d is not None:
                chain.append(d)
        chain.append(target)
        with_children = _parents_with_children(coll, env, chain)
        details = _port_details(self.store, env, chain[-1:])
        resp.media = {"path": [_node(d, with_children, details) for d in chain]}


def routes(deps):
    return [("/tree", Tree(deps)), ("/tree/path", TreePath(deps))]
