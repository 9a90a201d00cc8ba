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

NODE_FIELDS = ("id", "name", "object_name", "type", "id_path", "name_path", "parent_id", "clique", "status",
               "stale_since", "last_seen", "host", "environment")
NODE = obj({"id": STR, "name": STR, "type": STR, "id_path": STR, "has_children": {"type": "boolean"}},
           required=("id", "type", "has_children"))
CHILDREN = obj({"children": {"type": "array", "items": NODE}, "more": {"type": "integer"}},
               required=("children", "more"))
PATH = obj({"path": {"type": "array", "items": NODE}}, required=("path",))
LIMIT = Param("limit", "int", default=500, minimum=1, maximum=5000, doc="most children returned (the rest is counted in `more`)")


def _node(doc: dict, with_children: set[str]) -> dict:
    out = {f: doc[f] for f in NODE_FIELDS if doc.get(f) is not None}
    out["name"] = str(doc.get("object_name") or doc.get("name") or doc.get("id"))
    out["has_children"] = doc.get("id") in with_children
    return out


def _parents_with_children(coll, env: str, ids: list[str]) -> set[str]:
    """Which of these ids have at least one child shown in the tree (one aggregation, not one query each)."""
    if not ids:
        return set()
    keys = [k(env, i) for i in ids]
    rows = coll.aggregate([{"$match": {"_env_parent": {"$in": keys}}},
                           {"$match": {"show_in_tree": {"$ne": False}}},
                           {"$group": {"_id": "$_env_parent"}}])
    prefix = len(env) + 1
    return {r["_id"][prefix:] for r in rows if isinstance(r.get("_id"), str)}


def _projection() -> dict:
    return {f: 1 for f in NODE_FIELDS + ("show_in_tree",)}


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
        with_children = _parents_with_children(coll, env, [d["id"] for d in shown])
        resp.media = {"children": [_node(d, with_children) for d in shown], "more": len(docs) - len(shown)}


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
        if ancestors:
            for d in coll.find({"_env_id": {"$in": [k(env, a) for a in ancestors]}}, _projection()):
                by_path[str(d.get("id_path"))] = d
        chain = []
        for depth in range(2, len(parts)):
            d = by_path.get("/" + "/".join(parts[:depth]))
            if d is not None:
                chain.append(d)
        chain.append(target)
        with_children = _parents_with_children(coll, env, [d["id"] for d in chain])
        resp.media = {"path": [_node(d, with_children) for d in chain]}


def routes(deps):
    return [("/tree", Tree(deps)), ("/tree/path", TreePath(deps))]
