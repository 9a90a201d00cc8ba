"""/graph: a precomputed graph document (written after scans) of an environment."""

from __future__ import annotations

import falcon

from api import jsonio
from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.spec import Operation
from app.errors import Problem

TYPES = ("vega_tree", "force_tree", "children_tree", "clique")
QUERY = (Param("env_name", required=True), Param("type", required=True, choices=TYPES), Param("focal_point_id"))


class Graph(Resource):
    operations = {"GET": Operation("A precomputed graph of an environment ({} when none was computed)", query=QUERY,
                                   env_scoped=True, tags=("inventory",), response={"type": "object"})}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        if v["type"] == "clique" and "focal_point_id" not in v:
            raise bad_request([Problem("focal_point_id", "is required for a clique graph")])
        if v["type"] == "force_tree" and "focal_point_id" in v:
            raise bad_request([Problem("focal_point_id", "is not allowed for a force_tree graph")])
        env = self.envs(req).view(v["env_name"])["name"]
        query = {"environment": env, "type": v["type"]}
        if "focal_point_id" in v:
            query["focal_point_id"] = v["focal_point_id"]
        doc = self.store["graphs"].find_one(query)
        resp.media = jsonio.single(doc) if doc else {}


def routes(deps):
    return [("/graph", Graph(deps))]
