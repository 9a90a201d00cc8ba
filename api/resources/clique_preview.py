"""/clique_types/preview: what a clique type would draw for one focal object, without saving anything.

It walks the stored links the way the scanner's clique builder does (same walk, same
constraints), so what the preview shows is what a cliques-only scan will store.
"""

from __future__ import annotations

import falcon

from api.errors import bad_request
from api.params import Param, check_body
from api.resources.base import Resource
from api.resources.clique_types import CliqueTypeRules
from api.spec import STR, Operation, obj
from app.errors import Problem
from app.inventory import Inventory
from app.links import Links
from scan.cliques import LinkGraph, build_clique, select_constraints

MAX_NODES = 1000
BODY = (
    Param("env_name", required=True), Param("focal_point", required=True, doc="inventory id of the focal object"),
    Param("focal_point_type", choices="object_types", doc="when given, the focal object must be of this type"),
    Param("link_types", "list", required=True, choices="link_types", doc="followed in this order"),
    Param("use_implicit_links", "bool", default=False, convert=False),
)
NODE = obj({"id": STR, "type": STR, "name": STR, "host": {}})
LINK = obj({"id": STR, "link_type": STR, "link_name": {}, "source_id": STR, "target_id": STR})
PREVIEW = obj({"focal_point": NODE, "nodes": {"type": "array", "items": NODE},
               "links": {"type": "array", "items": LINK}, "truncated": {"type": "boolean"},
               "constraints": {"type": "object"}}, required=("focal_point", "nodes", "links", "truncated"))


def _node(d: dict) -> dict:
    return {"id": d["id"], "type": d["type"], "name": d.get("object_name") or d.get("name") or d["id"],
            "host": d.get("host")}


class CliquePreview(Resource):
    operations = {
        "POST": Operation("Preview the clique a clique type would build for one focal object (nothing is saved)",
                          body=BODY, response=PREVIEW, env_scoped=True, tags=("catalogue",)),
    }

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.query(req)
        b = check_body(BODY, self.json_body(req), CliqueTypeRules(self).choices)
        env = self.envs(req).view(b["env_name"])
        focal = Inventory(self.store).get(env["name"], b["focal_point"], b.get("focal_point_type"))
        if focal is None:
            raise bad_request([Problem("focal_point", f"no object {b['focal_point']!r} "
                                                      f"{'of type ' + b['focal_point_type'] + ' ' if 'focal_point_type' in b else ''}"
                                                      f"in environment {env['name']}")])
        links_api = Links(self.store)
        wanted = set()
        for lt in b["link_types"]:
            x, _, y = lt.partition("-")
            wanted |= {lt, f"{y}-{x}"}
        links = [l for lt in sorted(wanted) for l in links_api.of_type(env["name"], lt) if "stale_since" not in l]
        graph = LinkGraph.build(links, b["use_implicit_links"])
        constraints = select_constraints(list(self.store["clique_constraints"].find({})), env).get(focal["type"], [])
        clique = build_clique(focal, {"link_types": b["link_types"]}, constraints, graph, MAX_NODES)
        if clique is None:
            resp.media = {"focal_point": _node(focal), "nodes": [_node(focal)], "links": [], "truncated": False,
                          "constraints": {c: focal.get(c) for c in constraints}}
            return
        nodes = {d["_id"]: d for d in Inventory(self.store).by_object_ids(clique["nodes"])}
        resp.media = {
            "focal_point": _node(focal),
            "nodes": [_node(nodes[n]) for n in clique["nodes"] if n in nodes],
            "links": [{"id": str(l["_id"]), "link_type": l["link_type"], "link_name": l.get("link_name"),
                       "source_id": l["source_id"], "target_id": l["target_id"]} for l in clique["links_detailed"]],
            "truncated": clique["truncated"], "constraints": clique["constraints"],
        }


def routes(deps):
    return [("/clique_types/preview", CliquePreview(deps))]
