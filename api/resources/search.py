"""/search: case-insensitive substring search of inventory names in one environment."""

from __future__ import annotations

import re

import falcon

from api.params import Param
from api.resources.base import Resource
from api.spec import PAGING, Operation, listing

FIELDS = ("id", "name", "type", "last_scanned")
QUERY = (Param("env_name", required=True), Param("query", required=True), Param("source", required=True,
         choices=("inventory",)), Param("all", "bool", default=False)) + PAGING


class Search(Resource):
    operations = {"GET": Operation("Search inventory names", query=QUERY, env_scoped=True, tags=("inventory",),
                                   response=listing("objects", FIELDS))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        env = self.envs(req).view(v["env_name"])["name"]
        query = {"environment": env, "name": {"$regex": re.escape(v["query"]), "$options": "i"}}
        skip, limit, applied = self.page(v, resp)
        docs = self.store["inventory"].find(query, {f: 1 for f in FIELDS}, skip=skip, limit=limit)
        self.send_list(resp, "objects", docs, FIELDS, applied)


def routes(deps):
    return [("/search", Search(deps))]
