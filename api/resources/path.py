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
from app.topology.ends import UnknownObject
from app.topology.neighbours import path_between

QUERY = (Param("env_name", required=True),
         Param("source", required=True, doc="inventory id, or name (when one object has it), of the first object"),
         Param("target", required=True, doc="inventory id, or name, of the second object"), FORMAT)
_END = obj({"id": STR, "type": {"type": ["string", "null"]}, "name": STR})
_NULLABLE = {"type": ["string", "null"]}
RESPONSE = obj({"found": {"type": "boolean"}, "source": _END, "target": _END, "nodes": {"type": "array"},
                "hops": {"type": "array", "items": obj({"from": STR, "to": STR, "link_type": STR, "kind": STR,
                                                        "network": _NULLABLE, "network_id": _NULLABLE,
                                                        "segment": _NULLABLE})},
                "worst_status": _NULLABLE, "stops": {"type": "array"}, "reason": STR,
                "reasons": {"type": "array", "items": STR}, "notes": {"type": "array", "items": STR}},
               required=("found", "source", "target", "nodes", "hops"))


class Path(Resource):
    operations = {"GET": Operation(
        "The chain of links a packet could take between two objects: inside one network's segment, across "
        "networks only in a router, never through an instance, across hosts through the OTEPs' own tunnels; "
        "every hop's object, link type, network and segment (`kind` tunnel: a derived OTEP-to-OTEP edge), host "
        "and status, the worst status on the path; when there is none, why (`reason`) and where each side stops",
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
