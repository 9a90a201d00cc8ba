"""/search/inventory: objects by part of their name, across every environment the caller may view.

The original UI searched all environments with no permission filter; here the environments
searched are exactly those the caller may view (or the one named, which must be viewable).
The filter keeps to indexed fields (environment, name, and `_env_type` for a type), so the
embedded store answers it from its (environment, name) index in name order (app.store.indexes).
"""

from __future__ import annotations

import re

import falcon

from api.params import Param
from api.resources.base import Resource
from api.spec import Operation, listing
from app.store.keys import k

FIELDS = ("id", "name", "object_name", "type", "environment", "name_path", "id_path", "stale_since")
QUERY = (Param("query", required=True, doc="part of the name, case-insensitive"),
         Param("env_name", doc="only this environment"), Param("type", choices="object_types"),
         Param("limit", "int", default=15, minimum=1, maximum=200))


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
        query: dict = {"environment": envs[0] if len(envs) == 1 else {"$in": envs},
                       "name": {"$regex": re.escape(v["query"].strip()), "$options": "i"}}
        if "type" in v:
            keys = [k(env, v["type"]) for env in envs]
            query["_env_type"] = keys[0] if len(keys) == 1 else {"$in": keys}
        docs = self.store["inventory"].find(query, {f: 1 for f in FIELDS}, limit=v["limit"]).sort([("name", 1)])
        self.send_list(resp, "objects", docs, FIELDS, None)


def routes(deps):
    return [("/search/inventory", InventorySearch(deps))]
