"""/messages: events, scan logs and monitoring results of an environment; DELETE needs edit-env."""

from __future__ import annotations

import falcon

from api.params import OBJECTID_RE, Param
from api.resources import bulk_delete
from api.resources.base import Resource
from api.spec import PAGING, STR, Operation, listing, obj
from bson import ObjectId

FIELDS = ("id", "environment", "source_system", "level", "timestamp")
QUERY = (
    Param("env_name", required=True), Param("id", doc="message id or ObjectId: single-object mode"),
    Param("source_system", choices="message_source_systems"), Param("level", choices="messages_severity"),
    Param("related_object"), Param("related_object_type", choices="object_types"),
    Param("start_time", "datetime"), Param("end_time", "datetime"),
) + PAGING


class Messages(Resource):
    operations = {
        "GET": Operation("Messages of an environment", query=QUERY, env_scoped=True, tags=("messages",),
                         response={"anyOf": [listing("messages", FIELDS), obj({"id": STR})]}),
        "DELETE": bulk_delete.operation("messages"),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = self.env_filter(req, v["env_name"])
        for f in ("source_system", "level", "related_object", "related_object_type"):
            if f in v:
                query[f] = v[f]
        if "start_time" in v or "end_time" in v:
            query["timestamp"] = {}
            if "start_time" in v:
                query["timestamp"]["$gte"] = v["start_time"]
            if "end_time" in v:
                query["timestamp"]["$lte"] = v["end_time"]
        single = None
        if "id" in v:
            single = {"$or": [{"_id": ObjectId(v["id"])}, {"id": v["id"]}]} if OBJECTID_RE.match(v["id"]) \
                else {"id": v["id"]}
        self.list_or_single(req, resp, self.store["messages"], query, v, "messages", FIELDS, single,
                            sort=(("timestamp", -1), ("_id", -1)))

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        bulk_delete.delete(self, req, resp, "messages")


def routes(deps):
    return [("/messages", Messages(deps))]
