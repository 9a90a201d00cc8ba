"""/monitoring_config_templates: Sensu configuration templates."""

from __future__ import annotations

import falcon

from api.params import Param
from api.resources.base import Resource
from api.spec import PAGING, STR, Operation, listing, obj

FIELDS = ("id", "side", "type")
QUERY = (Param("id", "objectid", doc="single-object mode"), Param("order", "int"),
         Param("side", choices="monitoring_sides"), Param("type", doc="file name, e.g. client.json")) + PAGING


class MonitoringConfigTemplates(Resource):
    operations = {"GET": Operation("Monitoring configuration templates", query=QUERY, tags=("catalogue",),
                                   response={"anyOf": [listing("monitoring_config_templates", FIELDS),
                                                       obj({"id": STR})]})}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = {f: v[f] for f in ("order", "side", "type") if f in v}
        single = {"_id": v["id"]} if "id" in v else None
        self.list_or_single(req, resp, self.store["monitoring_config_templates"], query, v,
                            "monitoring_config_templates", FIELDS, single)


def routes(deps):
    return [("/monitoring_config_templates", MonitoringConfigTemplates(deps))]
