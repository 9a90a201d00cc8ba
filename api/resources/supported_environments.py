"""/supported_environments: which variants Calipso can scan, listen to and monitor (the wizard's option lists)."""

from __future__ import annotations

import falcon

from api.params import Param
from api.resources.base import Resource
from api.spec import PAGING, Operation, listing

FIELDS = ("environment", "features")
QUERY = (Param("distribution", choices="distributions"),) + PAGING


class SupportedEnvironments(Resource):
    operations = {"GET": Operation("Supported variants and their features (scanning, listening, monitoring)",
                                   query=QUERY, tags=("catalogue",), response=listing("supported_environments", FIELDS))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = {"environment.distribution": v["distribution"]} if "distribution" in v else {}
        skip, limit, applied = self.page(v, resp)
        docs = self.store["supported_environments"].find(query, skip=skip, limit=limit).sort([("_id", 1)])
        self.send_list(resp, "supported_environments", docs, FIELDS, applied)


def routes(deps):
    return [("/supported_environments", SupportedEnvironments(deps))]
