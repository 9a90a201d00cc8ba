"""/link_types and /link_types/{id}: the catalogue of link types; changes are for admins.

A link type that a clique type follows can be neither deleted nor re-pointed (409 naming the
clique types), so a catalogue edit never silently empties a graph.
"""

from __future__ import annotations

import falcon
from pymongo.errors import DuplicateKeyError

from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource, conflict
from api.resources.catalogue_entry import CatalogueEntry
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.errors import Problem

FIELDS = ("id", "type", "endPointA", "endPointB", "description")
QUERY = (Param("id", "objectid", doc="single-object mode"), Param("type"),
         Param("endPointA", choices="object_types_for_links"), Param("endPointB", choices="object_types_for_links"),
         ) + PAGING
BODY = (Param("endPointA", required=True, choices="object_types_for_links"),
        Param("endPointB", required=True, choices="object_types_for_links"),
        Param("type", doc="defaults to <endPointA>-<endPointB>"), Param("description"))
LINK_TYPE = obj({"id": STR, "type": STR, "endPointA": STR, "endPointB": STR, "description": STR}, required=("id", "type"))


def _type_of(b: dict) -> str:
    expected = f"{b['endPointA']}-{b['endPointB']}"
    if b.get("type", expected) != expected:
        raise bad_request([Problem("type", f"must be {expected!r} (<endPointA>-<endPointB>)")])
    return expected


def users_of(store, link_type: str) -> list[str]:
    """Names of the clique types that follow this link type."""
    return sorted(str(d.get("name") or d["_id"]) for d in store["clique_types"].find(
        {"link_types": {"$in": [link_type]}}, {"name": 1}))


class LinkTypes(Resource):
    operations = {
        "GET": Operation("Link types", query=QUERY, tags=("catalogue",),
                         response={"anyOf": [listing("link_types", FIELDS), obj({"id": STR})]}),
        "POST": Operation("Add a link type (admin)", body=BODY, response=MESSAGE, status=201, auth="admin",
                          tags=("catalogue",), errors=(409,)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = {f: v[f] for f in ("type", "endPointA", "endPointB") if f in v}
        single = {"_id": v["id"]} if "id" in v else None
        self.list_or_single(req, resp, self.store["link_types"], query, v, "link_types", FIELDS, single)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        expected = _type_of(b)
        doc = {"type": expected, "endPointA": b["endPointA"], "endPointB": b["endPointB"],
               "description": b.get("description", expected), "user_id": self.caller(req).username}
        try:
            oid = self.store["link_types"].insert_one(doc).inserted_id
        except DuplicateKeyError:
            raise conflict(f"link type {expected} already exists") from None
        self.created(resp, f"Created a new link_type {expected}", oid)


class LinkType(CatalogueEntry):
    collection, label = "link_types", "link type"
    operations = {
        "GET": Operation("One link type", tags=("catalogue",), response=LINK_TYPE),
        "PUT": Operation("Change a link type (admin); its ends only while no clique type follows it", body=BODY,
                         response=MESSAGE, auth="admin", tags=("catalogue",), errors=(409,)),
        "DELETE": Operation("Delete a link type (admin) that no clique type follows", response=MESSAGE,
                            auth="admin", tags=("catalogue",), errors=(409,)),
    }

    def on_put(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        b = self.body(req)
        old = self.entry(req, id)
        new_type = _type_of(b)
        if new_type != old["type"]:
            used = users_of(self.store, old["type"])
            if used:
                raise conflict(f"link type {old['type']} is followed by clique types {', '.join(used)}; "
                               "change those first")
        update = {"type": new_type, "endPointA": b["endPointA"], "endPointB": b["endPointB"],
                  "description": b.get("description", old.get("description", new_type))}
        try:
            self.store["link_types"].update_one({"_id": old["_id"]}, {"$set": update})
        except DuplicateKeyError:
            raise conflict(f"link type {new_type} already exists") from None
        resp.media = {"message": f"Updated link_type {new_type}", "id": str(old["_id"])}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.query(req)
        old = self.entry(req, id)
        used = users_of(self.store, old["type"])
        if used:
            raise conflict(f"link type {old['type']} is followed by clique types {', '.join(used)}; "
                           "remove it from those first")
        self.remove(old)
        resp.media = {"message": f"Deleted link_type {old['type']}", "id": str(old["_id"])}


def routes(deps):
    return [("/link_types", LinkTypes(deps)), ("/link_types/{id}", LinkType(deps))]
