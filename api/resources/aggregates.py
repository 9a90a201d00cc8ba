"""/aggregates: counts of objects per type, messages per level and environment, values per constant."""

from __future__ import annotations

import falcon

from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.errors import Problem

QUERY = (Param("type", required=True, choices=("environment", "message", "constant")), Param("env_name"))


def _group(coll, match: dict, field: str) -> dict:
    out = {}
    for row in coll.aggregate([{"$match": match}, {"$group": {"_id": f"${field}", "total": {"$sum": 1}}}]):
        if row["_id"] is not None:
            out[str(row["_id"])] = row["total"]
    return out


class Aggregates(Resource):
    operations = {"GET": Operation("Counts per object type, message level and environment, or constant",
                                   query=QUERY, env_scoped=True, tags=("inventory",),
                                   response=obj({"type": STR, "aggregates": {"type": "object"}},
                                                required=("type", "aggregates")))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        kind = v["type"]
        if kind == "environment":
            if "env_name" not in v:
                raise bad_request([Problem("env_name", "must be specified when type is environment")])
            env = self.envs(req).view(v["env_name"])["name"]
            resp.media = {"type": kind, "env_name": env,
                          "aggregates": {"object_types": _group(self.store["inventory"], {"environment": env}, "type")}}
        elif kind == "message":
            match = {"environment": {"$in": self.envs(req).names()}}
            coll = self.store["messages"]
            resp.media = {"type": kind, "aggregates": {"levels": _group(coll, match, "level"),
                                                       "environments": _group(coll, match, "environment")}}
        else:
            names = {d["name"]: len(d.get("data") or []) for d in self.store["constants"].find({}, {"name": 1, "data": 1})}
            resp.media = {"type": kind, "aggregates": {"names": names}}


def routes(deps):
    return [("/aggregates", Aggregates(deps))]
