"""/path: how one object reaches another (app.topology.path), hop by hop with link types, hosts and statuses."""

from __future__ import annotations

import falcon

from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.resources.topology_export import FORMAT, send
from api.spec import STR, Operation, obj
from app.errors import Problem
from app.topology.export import from_path
from app.topology.neighbours import UnknownObject, path_between

QUERY = (Param("env_name", required=True), Param("source", required=True, doc="inventory id of the first object"),
         Param("target", required=True, doc="inventory id of the second object"), FORMAT)
_END = obj({"id": STR, "type": {"type": ["string", "null"]}, "name": STR})
RESPONSE = obj({"found": {"type": "boolean"}, "source": _END, "target": _END, "nodes": {"type": "array"},
                "hops": {"type": "array", "items": obj({"from": STR, "to": STR, "link_type": STR, "kind": STR})},
                "worst_status": {"type": ["string", "null"]}, "stops": {"type": "array"}},
               required=("found", "source", "target", "nodes", "hops"))


class Path(Resource):
    operations = {"GET": Operation(
        "The cheapest chain of links between two objects, data-plane links first; every hop's object, link "
        "type, host and status, the worst status on the path; when there is none, where each side stops",
        query=QUERY, env_scoped=True, tags=("inventory",), response=RESPONSE)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        env = self.envs(req).view(v["env_name"])["name"]
        try:
            out = path_between(self.store, env, v["source"], v["target"])
        except UnknownObject as e:
            raise bad_request([Problem(e.which, str(e))]) from None
        send(resp, v["format"], out, lambda: from_path(out), f"path-{v['source']}-{v['target']}")


def routes(deps):
    return [("/path", Path(deps))]
