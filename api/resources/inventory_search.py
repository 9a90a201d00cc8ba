"""/search/inventory: objects by part of their name, across every environment the caller may view.

The original UI searched all environments with no permission filter; here the environments
searched are exactly those the caller may view (or the one named, which must be viewable).
The filter keeps to indexed fields (environment, name, and `_env_type` for a type), so the
embedded store answers it from its (environment, name) index in name order (app.store.indexes).

`match=prefix` (what the console's search box and pickers send while one types) finds the names that start
with the query, case-insensitively: a range of the (environment, `_name_lc`) index per environment, read
only as far as the limit, so it costs the same on a million objects as on a hundred, on MongoDB and on the
embedded store. `match=contains` (the default, and the search page's) finds the query anywhere in a name,
which reads every name of the environments searched.
"""

from __future__ import annotations

import heapq
import re

import falcon

from api.params import Param
from api.resources.base import Resource
from api.spec import Operation, listing
from app.store.keys import k, name_key, prefix_range

FIELDS = ("id", "name", "object_name", "type", "environment", "name_path", "id_path", "stale_since")
QUERY = (Param("query", required=True, doc="part of the name, case-insensitive"),
         Param("env_name", doc="only this environment"), Param("type", choices="object_types"),
         Param("limit", "int", default=15, minimum=1, maximum=200),
         Param("match", default="contains", choices=("contains", "prefix"),
               doc="contains: the query anywhere in the name; prefix: names that start with it (fast at any size)"))


class InventorySearch(Resource):
    operations = {"GET": Operation("Objects whose name contains the query, in every environment the caller may view",
                                   query=QUERY, env_scoped=True, tags=("inventory",),
                                   response=listing("objects", FIELDS))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        access = self.envs(req)
        envs = [access.view(v["env_name"])["name"]] if "env_name" in v else access.names()
        if not envs or not v["query"].strip():
            resp.media = {"objects": []}
            return
        if v["match"] == "prefix":
            self.send_list(resp, "objects", self._by_prefix(envs, v), FIELDS, None)
            return
        query: dict = {"environment": envs[0] if len(envs) == 1 else {"$in": envs},
                       "name": {"$regex": re.escape(v["query"].strip()), "$options": "i"}}
        if "type" in v:
            keys = [k(env, v["type"]) for env in envs]
            query["_env_type"] = keys[0] if len(keys) == 1 else {"$in": keys}
        docs = self.store["inventory"].find(query, {f: 1 for f in FIELDS}, limit=v["limit"]).sort([("name", 1)])
        self.send_list(resp, "objects", docs, FIELDS, None)

    def _by_prefix(self, envs: list[str], v: dict) -> list[dict]:
        """The first `limit` objects by lower-cased name among those whose name starts with the query: the
        first `limit` of each environment (one range of the (environment, _name_lc) index each, in its
        order), merged."""
        prefix, limit = name_key(v["query"].strip())["_name_lc"], v["limit"]
        projection = {f: 1 for f in FIELDS} | {"_name_lc": 1}
        per_env = []
        for env in envs:
            query: dict = {"environment": env, "_name_lc": prefix_range(prefix)}
            if "type" in v:
                query["_env_type"] = k(env, v["type"])
            per_env.append(list(self.store["inventory"].find(query, projection, limit=limit).sort([("_name_lc", 1)])))
        return list(heapq.merge(*per_env, key=lambda d: d.get("_name_lc", "")))[:limit]

def routes(deps):
    return [("/search/inventory", InventorySearch(deps))]
