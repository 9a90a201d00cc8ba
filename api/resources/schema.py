"""/schema: the JSON schema inferred for an inventory object type (written after scans)."""

from __future__ import annotations

import falcon

from api import jsonio
from api.params import Param
from api.resources.base import Resource
from api.spec import Operation


class Schema(Resource):
    operations = {"GET": Operation("Inferred JSON schema of an object type ({} when none yet)",
                                   query=(Param("type", required=True, choices="object_types"),),
                                   tags=("catalogue",), response={"type": "object"})}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        doc = self.store["schemas"].find_one({"type": v["type"]})
        resp.media = {"type": v["type"], "schema": jsonio.single(doc, add_id=False).get("schema", {})} if doc else {}


def routes(deps):
    return [("/schema", Schema(deps))]
