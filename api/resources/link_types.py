"""/link_types: the catalogue of link types (both directions of each relation); POST is for admins."""

from __future__ import annotations

import falcon
from pymongo.errors import DuplicateKeyError

from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource, conflict
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.errors import Problem

FIELDS = ("id", "type", "endPointA", "endPointB", "description")
QUERY = (Param("id", "objectid", doc="single-object mode"), Param("type"),
         Param("endPointA", choices="object_types_for_links"), Param("endPointB", choices="object_types_for_links"),
         ) + PAGING
BODY = (Param("endPointA", required=True, choices="object_types_for_links"),
        Param("endPointB", required=True, choices="object_types_for_links"),
        Param("type", doc="defaults to <endPointA>-<endPointB>"), Param("description"))


class LinkTypes(Resource):
    operations = {
        "GET": Operation("Link types", query=QUERY, tags=("catalogue",),
                         response={"anyOf": [listing("link_types", FIELDS), obj({"id": STR})]}),
        "POST": Operation("Add a link type (admin)", body=BODY, response=MESSAGE, status=201, auth="admin",
                          tags=("catalogue",)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = {f: v[f] for f in ("type", "endPointA", "endPointB") if f in v}
        single = {"_id": v["id"]} if "id" in v else None
        self.list_or_single(req, resp, self.store["link_types"], query, v, "link_types", FIELDS, single)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        expected = f"{b['endPointA']}-{b['endPointB']}"
        if b.get("type", expected) != expected:
            raise bad_request([Problem("type", f"must be {expected!r} (<endPointA>-<endPointB>)")])
        doc = {"type": expected, "endPointA": b["endPointA"], "endPointB": b["endPointB"],
               "description": b.get("description", expected), "user_id": self.caller(req).username}
        try:
            oid = self.store["link_types"].insert_one(doc).inserted_id
        except DuplicateKeyError:
            raise conflict(f"link type {expected} already exists") from None
        self.created(resp, f"Created a new link_type {expected}", oid)


def routes(deps):
    return [("/link_types", LinkTypes(deps))]
