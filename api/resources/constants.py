"""/constants: a named list of allowed values (always one document)."""

from __future__ import annotations

import falcon

from api import jsonio
from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.errors import Problem

QUERY = (Param("name", required=True), Param("env_name"), Param("env_type", choices="environment_types"))


class Constants(Resource):
    operations = {"GET": Operation("One constants list", query=QUERY, env_scoped=True, tags=("catalogue",),
                                   response=obj({"name": STR, "data": {"type": "array"}}))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        if "env_name" in v and "env_type" in v:
            raise bad_request([Problem("env_type", "Only up to one of (env_name, env_type) can be specified")])
        env_type = v.get("env_type")
        if "env_name" in v:
            env_type = self.envs(req).view(v["env_name"]).get("environment_type") or "OpenStack"
        env_type = env_type or "OpenStack"
        docs = list(self.store["constants"].find({"name": v["name"]}))
        chosen = next((d for d in docs if d.get("environment_type") == env_type), None) or \
            next((d for d in docs if not d.get("environment_type")), None)
        resp.media = jsonio.single(chosen) if chosen else {}


def routes(deps):
    return [("/constants", Constants(deps))]
