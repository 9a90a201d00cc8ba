"""/links: links between inventory objects; by ObjectId, or pages filtered by ends, type, state, attributes."""

from __future__ import annotations

import falcon

from api import jsonio
from api.params import Param
from api.resources.base import Resource
from api.spec import PAGING, STR, Operation, listing, obj
from app.inventory import scan_times, served
from app.keyenc import encode_key
from app.store.keys import k

FIELDS = ("id", "link_name", "link_type", "environment", "host", "status", "status_value")
QUERY = (
    Param("env_name"), Param("id", "objectid", doc="single-object mode"),
    Param("host"), Param("link_name"), Param("source_id"), Param("target_id"),
    Param("link_type", choices="link_types"), Param("state", choices="link_states"),
) + PAGING


def _keys(envs: list[str], value: str):
    keys = [k(e, value) for e in envs]
    return keys[0] if len(keys) == 1 else {"$in": keys}


class Links(Resource):
    operations = {"GET": Operation(
        "Links; also accepts attributes:<name>=<value> parameters", query=QUERY, env_scoped=True,
        extra_query=r"attributes:[A-Za-z0-9_\-]{1,64}", tags=("inventory",),
        response={"anyOf": [listing("links", FIELDS), obj({"id": STR, "link_type": STR})]})}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        if "env_name" in v:
            self.envs(req).view(v["env_name"], ())
            envs = [v["env_name"]]
        else:
            envs = self.envs(req).names()
        query: dict = {}
        if "source_id" in v:
            query["_env_source_id"] = _keys(envs, v["source_id"])
        if "target_id" in v:
            query["_env_target_id"] = _keys(envs, v["target_id"])
        if "link_type" in v:
            query["_env_type"] = _keys(envs, v["link_type"])
        for f in ("host", "link_name", "state"):
            if f in v:
                query[f] = v[f]
        for key, value in v.items():
            if key.startswith("attributes:"):
                query[f"attributes.{encode_key(key.split(':', 1)[1])}"] = value
        if not any(f in query for f in ("_env_source_id", "_env_target_id", "_env_type")):
            query["environment"] = envs[0] if len(envs) == 1 else {"$in": envs}
        if "id" in v:   # one link: when it was last seen, as for objects (app.inventory.served)
            doc = self.store["links"].find_one({**query, "_id": v["id"]})
            resp.media = jsonio.single(served(doc, scan_times(self.store, envs))) if doc else {}
            return
        self.list_or_single(req, resp, self.store["links"], query, v, "links", FIELDS, None, sort=None)


def routes(deps):
    return [("/links", Links(deps))]
