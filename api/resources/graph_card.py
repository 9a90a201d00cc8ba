"""/graph_card: the hover card of one object or link of a graph, asked for when a user points at it.

The graph itself ships no cards (app.topology.cards says why); ids the card shows come with names.
"""

from __future__ import annotations

import falcon

from api.errors import not_found
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.topology.cards import card
from app.topology.source import hover_spec

QUERY = (
    Param("env_name", required=True),
    Param("id", "objectid", required=True, doc="ObjectId of the object or link (a graph element's id)"),
)
RESPONSE = obj({"id": STR, "kind": STR, "type": STR, "name": {"type": ["string", "null"]},
                "tooltip": {"type": ["string", "null"]}, "status": {"type": ["string", "null"]},
                "rows": {"type": "array", "items": {"type": "array"}}},
               required=("id", "kind", "rows"))


class GraphCard(Resource):
    operations = {"GET": Operation(
        "The hover card of an object or link: its attributes_for_hover_on_data rows, each id among the values "
        "with its object's name and type", query=QUERY, env_scoped=True, tags=("inventory",), response=RESPONSE)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        env = self.envs(req).view(v["env_name"])["name"]
        found = card(self.store, env, v["id"], hover_spec(self.store))
        if found is None:
            raise not_found(f"No object or link {v['id']} in environment {env}")
        resp.media = found


def routes(deps):
    return [("/graph_card", GraphCard(deps))]
