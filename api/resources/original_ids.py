"""/original_ids: what an ObjectId from the original console's URLs names, for the caller.

The original console addressed pages as `/environment/<environment _id>?selectedNodeId=<object _id>`;
operators' bookmarks and links in tickets still do. This answers, for one ObjectId, whether it is
an environment (its name) or an inventory object (its environment and inventory id), so the
console opens the same page. Something the caller may not view is a 404, as everywhere.
"""

from __future__ import annotations

import falcon

from api.errors import not_found
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj

RESPONSE = obj({"kind": STR, "environment": STR, "id": STR, "type": STR, "name": STR}, required=("kind", "environment"))


class OriginalIds(Resource):
    operations = {"GET": Operation(
        "The environment or inventory object an ObjectId names (the original console's URLs used them)",
        query=(Param("oid", "objectid", required=True, doc="an environment's or an inventory object's _id"),),
        tags=("inventory",), response=RESPONSE, errors=(404,))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        oid = self.query(req)["oid"]
        env = self.store["environments_config"].find_one({"_id": oid}, {"name": 1})
        if env is not None and self.envs(req).find(env.get("name")) is not None:
            resp.media = {"kind": "environment", "environment": env["name"]}
            return
        doc = self.store["inventory"].find_one({"_id": oid}, {"environment": 1, "id": 1, "type": 1, "name": 1,
                                                              "object_name": 1})
        if doc is not None and self.envs(req).find(doc.get("environment")) is not None:
            resp.media = {"kind": "object", "environment": doc["environment"], "id": doc.get("id"),
                          "type": doc.get("type"), "name": str(doc.get("object_name") or doc.get("name") or doc.get("id"))}
            return
        raise not_found(f"No environment or object {oid} that you may view")


def routes(deps):
    return [("/original_ids", OriginalIds(deps))]
