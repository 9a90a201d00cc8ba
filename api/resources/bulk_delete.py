"""DELETE of an environment's messages or scheduled scans: `ids` or `all=true`, exactly one."""

from __future__ import annotations

import falcon

from api.errors import bad_request
from api.params import Param
from api.spec import Operation, obj
from app.errors import Problem

QUERY = (Param("env_name", required=True), Param("ids", "id_list", doc="comma-separated ObjectIds"),
         Param("all", "bool", doc="delete every one of the environment's documents"))


def operation(what: str) -> Operation:
    return Operation(f"Delete {what} of an environment: ids=<oid,...> or all=true", query=QUERY, write=True,
                     env_scoped=True, response=obj({"count": {"type": "integer"}}, required=("count",)))


def delete(resource, req: falcon.Request, resp: falcon.Response, collection: str) -> None:
    v = resource.query(req)
    has_ids, has_all = "ids" in v, v.get("all") is True
    if has_ids == has_all:
        raise bad_request([Problem("ids", "give either ids or all=true (exactly one of them)")])
    resource.envs(req).edit(v["env_name"])
    query: dict = {"environment": v["env_name"]}
    if has_ids:
        query["_id"] = {"$in": v["ids"]}
    n = resource.store[collection].delete_many(query).deleted_count
    resp.media = {"count": n}
