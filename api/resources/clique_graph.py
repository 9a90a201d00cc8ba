"""/clique_graph: the graph of a focal object's clique, bounded for a browser (app.topology.graph)."""

from __future__ import annotations

import json

import falcon

from api.errors import bad_request, not_found
from api.params import Param
from api.resources.base import Resource
from api.resources.topology_export import FORMAT, send
from api.spec import STR, Operation, obj
from app.changelog import ChangeLog
from app.errors import Problem
from app.topology.export import from_clique
from app.topology.graph import DEFAULT_MAX_NODES, DRAWN_FIELDS, DRAWN_LINK_FIELDS, HARD_MAX_NODES, Bounds, build
from app.topology.graph_cache import GraphCache, hover_rows, key_of
from app.topology.hover import HoverSpec
from app.topology.source import clique_oid, find_clique, hover_spec, load_clique, whole_links, whole_objects
from app.topology.summary import Grouping, summarize
from app.topology.summary_store import current, stored_summary

FOCAL = ("focal_point_object_id", "focal_point", "id")
QUERY = (
    Param("env_name", required=True),
    Param("focal_point_object_id", doc="inventory id of the focal object"),
    Param("focal_point", "objectid", doc="ObjectId of the focal object"),
    Param("id", "objectid", doc="ObjectId of the clique"),
    Param("depth", "int", minimum=0, maximum=1000, doc="only objects at most this many links from the focal object"),
    Param("max_nodes", "int", default=DEFAULT_MAX_NODES, minimum=1, maximum=HARD_MAX_NODES,
          doc="objects drawn at most; the farthest others are folded into '+N more' nodes per type and host"),
    Param("group", default="none", choices=("none", "auto"),
          doc="auto: when the clique has more objects than max_nodes, hosts are folded into summary nodes"),
    Param("expand", "strings", doc="summary nodes shown opened: host:<name> or hosts:<first>|<last> (repeatable)"),
    FORMAT,
)
NODE = obj({"id": STR, "type": STR, "name": STR, "status": {"type": ["string", "null"]},
            "depth": {"type": ["integer", "null"]}, "hover": {"type": "array"}}, required=("id", "type", "name"))   # hover: aggregates only
LINK = obj({"id": STR, "source": STR, "target": STR, "link_type": STR, "status": {"type": ["string", "null"]}},
           required=("id", "source", "target"))
RESPONSE = obj({"focal_point": obj({"id": STR, "type": STR}), "nodes": {"type": "array", "items": NODE},
                "links": {"type": "array", "items": LINK}, "total": obj(), "bounds": obj(), "omitted": obj(),
                "clique_id": STR, "truncated": {"type": "boolean"}, "tooltips": obj()},
               required=("focal_point", "nodes", "links", "total", "omitted"))


class CliqueGraph(Resource):
    def __init__(self, deps):
        super().__init__(deps)
        self.cache = deps.extra.setdefault("graph_cache", GraphCache())

    operations = {"GET": Operation(
        "The graph of a focal object's clique: nodes and links with status, depth and staleness, "
        "bounded by depth and a node cap, with what was left out", query=QUERY, env_scoped=True,
        tags=("inventory",), response=RESPONSE)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        named = [f for f in FOCAL if f in v]
        if len(named) != 1:
            raise bad_request([Problem("focal_point_object_id", "give exactly one of " + ", ".join(FOCAL))])
        env = self.envs(req).view(v["env_name"])["name"]
        named_by = dict(object_id=v.get("focal_point_object_id"), focal_point=v.get("focal_point"), clique_id=v.get("id"))
        missing = f"No clique for {named[0]} {v[named[0]]} in environment {env}"
        auto = v["group"] == "auto" and "depth" not in v
        cid = clique_oid(self.store, env, **named_by) if auto else None
        # a large clique has a stored summary: it opens without reading the clique (app.topology.summary_store)
        clique = None if cid is not None and stored_summary(self.store, cid) else find_clique(self.store, env, **named_by)
        if auto and (clique is None or len(clique.get("nodes") or []) > v["max_nodes"]):
            made = current(self.store, env, cid) if cid is not None else None
            if made is None:
                raise not_found(missing)
            if made[0]["nodes"] > v["max_nodes"]:
                return self._send(resp, v, env, self._summary(made, v), str(cid), made[0]["truncated"])
            clique = find_clique(self.store, env, **named_by)
        if clique is None:
            raise not_found(missing)
        rows = hover_rows(self.store)
        bounds = Bounds(v.get("depth"), v["max_nodes"])

        def make(where: dict) -> dict:
            data = load_clique(self.store, clique, (DRAWN_FIELDS, DRAWN_LINK_FIELDS))
            if data is None:
                raise not_found(missing)
            return build(data.focal, data.objects, data.links, HoverSpec(rows), bounds, where)

        # a large clique's graph is kept while it and its environment stay as they are (app.topology.graph_cache)
        key = key_of(clique, ChangeLog(self.store).last_seq(env), rows, (bounds.depth, bounds.max_nodes))
        graph, plain = self.cache.graph(self.store, env, key, len(clique.get("nodes") or []), make)
        self._send(resp, v, env, graph, str(clique["_id"]), bool(clique.get("truncated")), plain)

    @staticmethod
    def _send(resp: falcon.Response, v: dict, env: str, graph: dict, clique_id: str, truncated: bool,
              plain: bool = False) -> None:
        graph.update(environment=env, clique_id=clique_id, truncated=truncated)
        if plain and v["format"] == "json":   # already JSON-ready: not walked again (a tenth of a 2,000-node answer)
            resp.content_type = falcon.MEDIA_JSON
            resp.text = json.dumps(graph, ensure_ascii=False, separators=(",", ":"))
            return
        send(resp, v["format"], graph, lambda: from_clique(graph),
             f"clique-{graph['focal_point'].get('type')}-{graph['focal_point'].get('object_id')}")

    def _summary(self, made: tuple, v: dict) -> dict:
        summary, kept = made
        return summarize(self.store, summary, kept, hover_spec(self.store), Grouping(frozenset(v.get("expand") or ())),
                         lambda oids: whole_objects(self.store, oids, DRAWN_FIELDS),
                         lambda oids: whole_links(self.store, oids, DRAWN_LINK_FIELDS))


def routes(deps):
    return [("/clique_graph", CliqueGraph(deps))]
