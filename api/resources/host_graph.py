"""/host_graph: everything on one host (its tree below and what its links reach), drawn like a clique."""

from __future__ import annotations

import falcon

from api.errors import not_found
from api.params import Param
from api.resources.base import Resource
from api.resources.clique_graph import RESPONSE
from api.resources.topology_export import FORMAT, send
from api.spec import Operation
from app.topology.export import from_clique
from app.topology.graph import DEFAULT_MAX_NODES, HARD_MAX_NODES, Bounds, build
from app.topology.host import load_host
from app.topology.source import hover_spec

QUERY = (
    Param("env_name", required=True),
    Param("host", required=True, doc="inventory id of the host"),
    Param("max_nodes", "int", default=DEFAULT_MAX_NODES, minimum=1, maximum=HARD_MAX_NODES,
          doc="objects drawn at most; the farthest others are folded into '+N more' nodes per type and host"),
    FORMAT,
)


class HostGraph(Resource):
    operations = {"GET": Operation(
        "Everything on one host as a graph: its instances, vServices, vNICs, vConnectors, vEdges, OTEPs and "
        "pNICs, their links, and the objects those links reach one hop off the host",
        query=QUERY, env_scoped=True, tags=("inventory",), response=RESPONSE)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        env = self.envs(req).view(v["env_name"])["name"]
        data = load_host(self.store, env, v["host"])
        if data is None:
            raise not_found(f"No host {v['host']} in environment {env}")
        graph = build(data.host, data.objects, data.links, hover_spec(self.store), Bounds(None, v["max_nodes"]))
        graph.update(environment=env, host=v["host"], on_host=data.on_host, truncated=False)
        send(resp, v["format"], graph, lambda: from_clique(graph), f"host-{v['host']}")


def routes(deps):
    return [("/host_graph", HostGraph(deps))]
