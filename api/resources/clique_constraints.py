"""/clique_constraints and /clique_constraints/{id}: which link attributes must match the focal point's.

Reading follows the caller's environments; creating, changing and deleting is for admins. One
constraint document per focal point type and environment (empty environment: the default).
"""

from __future__ import annotations

import falcon
from bson import ObjectId

from api.params import Param
from api.resources.base import Resource, conflict
from api.resources.catalogue_entry import CatalogueEntry
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
CONSTRAINT = obj({"id": STR, "focal_point_type": STR, "constraints": {"type": "array"}},
                 required=("id", "focal_point_type"))


def _scope(env: str | None) -> dict:
    return {"environment": env} if env else {"environment": {"$in": ["", None]}}


class _Rules(Resource):
    def checked(self, req: falcon.Request, exclude: ObjectId | None = None) -> dict:
        b = self.body(req)
        if b.get("environment"):
            self.envs(req).view(b["environment"])
        same = [d for d in self.store["clique_constraints"].find(
            {**_scope(b.get("environment")), "focal_point_type": b["focal_point_type"]}, {"_id": 1})
            if d["_id"] != exclude]
        if same:
            where = f"in {b['environment']}" if b.get("environment") else "as the default"
            raise conflict(f"a constraint for {b['focal_point_type']} {where} already exists")
        return b


class CliqueConstraints(_Rules):
    operations = {
        "GET": Operation("Clique constraints", query=QUERY, tags=("catalogue",),
                         response={"anyOf": [listing("clique_constraints", FIELDS), obj({"id": STR})]}),
        "POST": Operation("Add a clique constraint (admin)", body=BODY, response=MESSAGE, status=201,
                          auth="admin", tags=("catalogue",), errors=(409,)),
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
        b = self.checked(req)
        oid = self.store["clique_constraints"].insert_one(dict(b)).inserted_id
        self.created(resp, "Created a new clique_constraint", oid)


class CliqueConstraint(CatalogueEntry, _Rules):
    collection, label = "clique_constraints", "clique constraint"
    operations = {
        "GET": Operation("One clique constraint", tags=("catalogue",), response=CONSTRAINT),
        "PUT": Operation("Replace a clique constraint (admin)", body=BODY, response=MESSAGE, auth="admin",
                         tags=("catalogue",), errors=(409,)),
        "DELETE": Operation("Delete a clique constraint (admin)", response=MESSAGE, auth="admin", tags=("catalogue",)),
    }

    def on_put(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        old = self.entry(req, id)
        new = self.checked(req, exclude=old["_id"])
        self.replace(old, new)
        resp.media = {"message": f"Updated clique_constraint for {new['focal_point_type']}", "id": str(old["_id"])}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.query(req)
        old = self.entry(req, id)
        self.remove(old)
        resp.media = {"message": f"Deleted clique_constraint for {old.get('focal_point_type')}", "id": str(old["_id"])}


def routes(deps):
    return [("/clique_constraints", CliqueConstraints(deps)), ("/clique_constraints/{id}", CliqueConstraint(deps))]
