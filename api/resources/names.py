"""/names: the names and types of many inventory ids at once, so a page shows names, not ids.

An object page shows a dozen fields whose values are other objects' ids (`parent_id`, `network_id`,
`host`, a list of networks...); asking /inventory once per id cost a round trip each. This answers
them all in one batched read (app.topology.cards.named, the same lookup the hover cards use). Ids
that name nothing in the environment are simply absent from the answer: the page shows them as text.
"""

from __future__ import annotations

import falcon

from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.topology.cards import MAX_REFS, named

QUERY = (
    Param("env_name", required=True),
    Param("id", "strings", required=True,
          doc=f"an inventory id; repeat the parameter for more (at most {MAX_REFS} are looked up)"),
)
NAMED = obj({"name": STR, "type": {"type": ["string", "null"]}}, required=("name",))
RESPONSE = obj({"names": {"type": "object", "additionalProperties": NAMED}}, required=("names",))


class Names(Resource):
    operations = {"GET": Operation(
        f"The name and type of each of up to {MAX_REFS} inventory ids of an environment, in one read; "
        "ids that name no object are left out", query=QUERY, env_scoped=True, tags=("inventory",), response=RESPONSE)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        env = self.envs(req).view(v["env_name"])["name"]
        resp.media = {"names": named(self.store, env, v["id"])}


def routes(deps):
    return [("/names", Names(deps))]
