"""/cliques: one topology graph per focal point."""

from __future__ import annotations

import falcon

from api.params import Param
from api.resources.base import Resource
from api.spec import PAGING, STR, Operation, listing, obj
from app.cliques import Cliques as CliqueStore
from app.store.keys import oid_match

FIELDS = ("id", "focal_point_type", "environment", "focal_point_object_id")
QUERY = (
    Param("env_name"), Param("id", "objectid", doc="single-object mode"),
    Param("focal_point", "objectid", doc="ObjectId of the focal object"),
    Param("focal_point_object_id", doc="inventory id of the focal object"),
    Param("focal_point_type", choices="object_types"),
    Param("link_type", choices="link_types"), Param("link_id", "objectid"),
) + PAGING


class Cliques(Resource):
    operations = {"GET": Operation("Cliques", query=QUERY, env_scoped=True, tags=("inventory",),
                                   response={"anyOf": [listing("cliques", FIELDS), obj({"id": STR})]})}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = self.env_filter(req, v.get("env_name"))
        if "focal_point" in v:
            query["focal_point"] = oid_match(v["focal_point"])
        for f in ("focal_point_object_id", "focal_point_type"):
            if f in v:
                query[f] = v[f]
        if "link_type" in v:
            query["links_detailed.link_type"] = v["link_type"]
        if "link_id" in v:
            # string copies of the link ids: the embedded store never matches an ObjectId in an array
            query.update(CliqueStore.with_link(v["link_id"]))
        single = {"_id": v["id"]} if "id" in v else None
        self.list_or_single(req, resp, self.store["cliques"], query, v, "cliques", FIELDS, single)


def routes(deps):
    return [("/cliques", Cliques(deps))]
