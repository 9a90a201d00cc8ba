"""/messages: events, scan logs and monitoring results; counts by level; marking them viewed.

Without `env_name` the list and the counts cover every environment the caller may view (the
UI's messages screen and its top-bar counters). Marking a message viewed needs only view
rights: it is an operator's acknowledgement, not a change to the environment. DELETE needs edit-env.
"""

from __future__ import annotations

import falcon
from bson import ObjectId

from api.errors import bad_request
from api.params import OBJECTID_RE, Param
from api.resources import bulk_delete
from api.resources.base import Resource
from api.spec import PAGING, STR, Operation, listing, obj
from app.errors import Problem

FIELDS = ("id", "environment", "source_system", "level", "timestamp", "viewed", "related_object",
          "related_object_type", "display_context", "origin_type", "origin_id", "message")
FILTERS = (
    Param("source_system", choices="message_source_systems"),
    Param("level", "strings", choices="messages_severity", doc="one level, or several (level=crit&level=error)"),
    Param("related_object"), Param("related_object_type", choices="object_types"),
    Param("start_time", "datetime"), Param("end_time", "datetime"), Param("viewed", "bool"),
)
QUERY = (Param("env_name", doc="one environment; default: every environment the caller may view"),
         Param("id", doc="message id or ObjectId: single-object mode"), *FILTERS) + PAGING
COUNT_QUERY = (Param("env_name", doc="one environment; default: every environment the caller may view"),
               *FILTERS)
VIEWED_BODY = (Param("env_name", required=True), Param("ids", "list", doc="message ids (as listed)"),
               Param("all", "bool", convert=False, doc="every message of the environment"),
               Param("viewed", "bool", default=True, convert=False))
COUNT = {"type": "integer"}


def by_ids(ids: list[str]) -> dict:
    """Messages by their `id` or `_id`. `$in`, not equality: the embedded store's equality on a
    24-hex-digit string (every Calipso message id) matches nothing."""
    oids = [ObjectId(i) for i in ids if OBJECTID_RE.match(i)]
    return {"$or": [{"id": {"$in": list(ids)}}, {"_id": {"$in": oids}}]} if oids else {"id": {"$in": list(ids)}}


class _Filtered(Resource):
    def filtered(self, req: falcon.Request, v: dict) -> dict:
        if v.get("env_name") is not None:
            query = self.env_filter(req, v["env_name"])
        else:
            names: list = list(self.envs(req).names())
            if self.caller(req).admin:
                names.append(None)  # messages of no environment (the scan manager's own)
            query = {"environment": {"$in": names}}
        for f in ("source_system", "related_object", "related_object_type", "viewed"):
            if f in v:
                query[f] = v[f]
        if "level" in v:
            query["level"] = {"$in": v["level"]}
        if "start_time" in v or "end_time" in v:
            query["timestamp"] = {}
            if "start_time" in v:
                query["timestamp"]["$gte"] = v["start_time"]
            if "end_time" in v:
                query["timestamp"]["$lte"] = v["end_time"]
        return query


class Messages(_Filtered):
    operations = {
        "GET": Operation("Messages, newest first", query=QUERY, env_scoped=True, tags=("messages",),
                         response={"anyOf": [listing("messages", FIELDS), obj({"id": STR})]}),
        "DELETE": bulk_delete.operation("messages"),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = self.filtered(req, v)
        single = by_ids([v["id"]]) if "id" in v else None
        self.list_or_single(req, resp, self.store["messages"], query, v, "messages", FIELDS, single,
                            sort=(("timestamp", -1), ("_id", -1)))

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        bulk_delete.delete(self, req, resp, "messages")


class MessageCounts(_Filtered):
    operations = {
        "GET": Operation("How many messages match, by level (the UI's top-bar counters)", query=COUNT_QUERY,
                         env_scoped=True, tags=("messages",),
                         response=obj({"total": COUNT, "levels": {"type": "object", "additionalProperties": COUNT}},
                                      required=("total", "levels"))),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        query = self.filtered(req, self.query(req))
        levels: dict[str, int] = {}
        for row in self.store["messages"].aggregate([{"$match": query},
                                                     {"$group": {"_id": "$level", "n": {"$sum": 1}}}]):
            levels[str(row["_id"])] = levels.get(str(row["_id"]), 0) + row["n"]
        resp.media = {"total": sum(levels.values()), "levels": levels}


class MessagesViewed(Resource):
    operations = {
        "POST": Operation("Mark messages of an environment viewed (or not): ids=[...] or all=true (view-env)",
                          body=VIEWED_BODY, env_scoped=True, tags=("messages",),
                          response=obj({"count": COUNT}, required=("count",))),
    }

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        has_ids, has_all = "ids" in b, b.get("all") is True
        if has_ids == has_all:
            raise bad_request([Problem("ids", "give either ids or all=true (exactly one of them)")])
        env = self.envs(req).view(b["env_name"])["name"]
        query: dict = {"environment": env}
        if has_ids:
            query.update(by_ids(b["ids"]))
        n = self.store["messages"].update_many(query, {"$set": {"viewed": b["viewed"]}}).matched_count
        resp.media = {"count": n}


def routes(deps):
    return [("/messages", Messages(deps)), ("/messages/counts", MessageCounts(deps)),
            ("/messages/viewed", MessagesViewed(deps))]
