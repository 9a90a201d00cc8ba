"""/clique_constraints: which link attributes must match the focal point's; POST is for admins."""

from __future__ import annotations

import falcon

from api.params import Param
from api.resources.base import Resource
from api.resources.clique_types import visible
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj

FIELDS = ("id", "focal_point_type", "constraints", "environment")
QUERY = (
    Param("id", "objectid", doc="single-object mode"), Param("focal_point_type", choices="object_types"),
    Param("constraint", "strings", doc="every one of these constraints"),
) + PAGING
BODY = (
    Param("focal_point_type", required=True, choices="object_types"),
    Param("constraints", "list", required=True, choices="constraints"),
    Param("environment", doc="an environment this constraint applies to (default: all)"),
)


class CliqueConstraints(Resource):
    operations = {
        "GET": Operation("Clique constraints", query=QUERY, tags=("catalogue",),
                         response={"anyOf": [listing("clique_constraints", FIELDS), obj({"id": STR})]}),
        "POST": Operation("Add a clique constraint (admin)", body=BODY, response=MESSAGE, status=201,
                          auth="admin", tags=("catalogue",)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = visible(self.envs(req).names())
        if "focal_point_type" in v:
            query["focal_point_type"] = v["focal_point_type"]
        if "constraint" in v:
            query["constraints"] = {"$all": v["constraint"]}
        single = {"_id": v["id"]} if "id" in v else None
        self.list_or_single(req, resp, self.store["clique_constraints"], query, v, "clique_constraints", FIELDS, single)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        if b.get("environment"):
            self.envs(req).view(b["environment"])
        coll = self.store["clique_constraints"]
        existing = coll.find_one({"focal_point_type": b["focal_point_type"], "environment": b.get("environment", "")}) \
            if b.get("environment") else None
        if existing is not None:
            from api.resources.base import conflict
            raise conflict(f"a constraint for {b['focal_point_type']} in {b['environment']} already exists")
        oid = coll.insert_one(dict(b)).inserted_id
        self.created(resp, "Created a new clique_constraint", oid)


def routes(deps):
    return [("/clique_constraints", CliqueConstraints(deps))]
