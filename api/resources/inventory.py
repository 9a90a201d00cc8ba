"""/inventory: inventory objects, by id or as pages, filtered by place in the tree, type and scan time.

Every query goes through one single-field indexed synthetic key when it can (`_env_id`,
`_env_parent`, `_key`), which is what keeps it fast on the embedded store. Pages come in the order of the
unique `_key` (environment|type|id): an environment's objects, or those of one type, are a range of it.
`page=N` skips N pages along that index; `after=<next_after of the page before>` starts right after the
last row shown, so a deep page costs what the first does (api.cursor).
"""

from __future__ import annotations

import re

import falcon

from api import jsonio
from api.cursor import decode_cursor, encode_cursor
from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.spec import PAGING, STR, Operation, listing, obj
from app.errors import Problem
from app.inventory import scan_time_of, scan_times, scanned_between, served
from app.keyenc import encode_key
from app.store.keys import k, prefix_range
from app.tunnel_mesh import SERVED_PAGE, mesh_of, with_ports

FIELDS = ("id", "name", "name_path", "type", "environment", "status", "status_value")
FIELD_RE = re.compile(r"^[A-Za-z0-9_\-\[\]@:]{1,64}$")

QUERY = (
    Param("env_name", doc="environment name"),
    Param("id", doc="inventory id: single-object mode"),
    Param("id_path", doc="exact id_path"),
    Param("parent_id"),
    Param("parent_path", doc="id_path of a parent: its direct children, or with sub_tree=true the parent and all below"),
    Param("sub_tree", "bool", default=False),
    Param("type", choices="object_types"),
    Param("projection", doc="comma-separated fields returned per object instead of the default list"),
    Param("all", "bool", default=False, doc="one page of the server's maximum size"),
    Param("scanned_after", "datetime"),
    Param("scanned_before", "datetime"),
    Param("tunnel_page", "int", default=0, minimum=0,
          doc="single-object mode, a vEdge or OTEP: which page of its tunnel ports (`tunnel_ports`/`ports`)"),
    Param("tunnel_page_size", "int", default=SERVED_PAGE, minimum=1, maximum=10 * SERVED_PAGE,
          doc="tunnel ports on that page"),
    Param("after", doc="the `next_after` of the page before: the page that follows it, as fast at any depth "
                       "(with `page` left at 0)"),
) + PAGING


def _keys(envs: list[str], value: str) -> dict:
    keys = [k(e, value) for e in envs]
    return keys[0] if len(keys) == 1 else {"$in": keys}


def _in_key_order(query: dict, envs: list[str]) -> None:
    """Restrict to the environment(s), in one environment (and type) as a range of `_key`, which both
    selects and orders the page from one index."""
    if "_env_parent" in query or "environment" in query:     # restricted already, by a narrower index
        return
    if len(envs) == 1:
        prefix = (query.pop("_env_type") if "_env_type" in query else envs[0]) + "|"
        query["_key"] = prefix_range(prefix)
    elif "_env_type" not in query:
        query["environment"] = {"$in": envs}


def _after(query: dict, v: dict) -> None:
    """The rows after the cursor `v["after"]`, within the listing's own range of `_key`."""
    if v.get("page"):
        raise bad_request([Problem("after", "a page after a cursor takes no page number: leave page at 0")])
    after = decode_cursor(v["after"])
    key_range = query.setdefault("_key", {})
    low = key_range.pop("$gte", None)
    if low is not None and after < low:
        key_range["$gte"] = low
    else:
        key_range["$gt"] = after     # one lower bound: the one the index range starts from


class Inventory(Resource):
    operations = {"GET": Operation("Inventory objects", query=QUERY, env_scoped=True, tags=("inventory",),
                                   response={"anyOf": [listing("objects", FIELDS),
                                                       obj({"id": STR, "type": STR, "environment": STR})]})}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        envs_access = self.envs(req)
        if "env_name" in v:   # the configuration read to check access also says when it was scanned
            scanned = scan_time_of(envs_access.view(v["env_name"], ("last_scanned",)))
            envs = [v["env_name"]]
        else:
            envs = envs_access.names()
            scanned = scan_times(self.store, envs)
        coll = self.store["inventory"]
        if "id" in v:
            doc = coll.find_one({"_env_id": _keys(envs, v["id"])}) if envs else None
            if doc and doc.get("tunnels"):   # the original's tunnel port list, a page of it (app.tunnel_mesh)
                doc = with_ports(doc, mesh_of(self.store, doc), v["tunnel_page"], v["tunnel_page_size"])
            resp.media = jsonio.single(served(doc, scanned)) if doc else {}
            return
        fields = FIELDS
        if "projection" in v:
            fields = tuple(f.strip() for f in v["projection"].split(",") if f.strip())
            bad = [f for f in fields if not FIELD_RE.match(f) or f.startswith("_") and f != "_id"]
            if bad or not fields:
                raise bad_request([Problem("projection", f"invalid field name(s): {', '.join(bad) or '(none)'}")])
            if "id" not in fields:
                fields = ("id",) + fields
        if not envs:
            self.send_list(resp, "objects", [], fields, None)
            return
        query: dict = {}
        if "parent_id" in v:
            query["_env_parent"] = _keys(envs, v["parent_id"])
        if "type" in v:
            query["_env_type"] = _keys(envs, v["type"])
        if "id_path" in v:
            query["id_path"] = v["id_path"]
        if "parent_path" in v:
            path = v["parent_path"].rstrip("/")
            if not path.startswith("/"):
                raise bad_request([Problem("parent_path", "must be an id_path, starting with '/'")])
            escaped = re.escape(path)
            if v["sub_tree"]:
                # the range first: every id_path below starts with path + "/" ("/" sorts just before "0"), so
                # the (environment, id_path) index reads the subtree (not the environment's whole range of
                # `_key`); the pattern keeps it exact
                query["environment"] = envs[0] if len(envs) == 1 else {"$in": envs}
                query.setdefault("$and", []).append({"id_path": {"$gte": path, "$lt": path + "0"}})
                query["$and"].append({"id_path": {"$regex": f"^{escaped}(/|$)"}})
            else:
                parent = path.rsplit("/", 1)[-1]
                query.setdefault("_env_parent", _keys(envs, parent))
                query.setdefault("$and", []).append({"id_path": {"$regex": f"^{escaped}/[^/]+$"}})
        if "scanned_after" in v or "scanned_before" in v:   # when last seen: see app.inventory.served
            query.setdefault("$and", []).append(scanned_between(scanned, v.get("scanned_after"),
                                                                v.get("scanned_before")))
        _in_key_order(query, envs)
        skip, limit, applied = self.page(v, resp)
        if "after" in v:
            _after(query, v)
            skip = 0
        projection = None
        if all("." not in f for f in fields):
            projection = {encode_key(f): 1 for f in fields}
            projection["_key"] = 1
        rows = list(coll.find(query, projection, skip=skip, limit=limit, batch_size=min(limit, 1000)).sort("_key", 1))
        last = rows[-1].get("_key") if len(rows) == limit else None
        self.send_list(resp, "objects", (served(d, scanned, envs[0]) for d in rows), fields, applied)
        if isinstance(last, str):
            resp.media["next_after"] = encode_cursor(last)


def routes(deps):
    return [("/inventory", Inventory(deps))]
