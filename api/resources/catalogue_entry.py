"""One entry of an editable catalogue (link types, clique types, clique constraints) at /<catalogue>/{id}.

Entries of an environment the caller may not view do not exist for them. Entries that came from
the seed keep their seed key when replaced, and are remembered when deleted, so that no later
`calipso db init` brings back or duplicates what an administrator changed.
"""

from __future__ import annotations

import falcon
from bson import ObjectId

from api import jsonio
from api.errors import not_found
from api.params import OBJECTID_RE
from api.resources.base import Resource
from app.store.seed import forget_seed

GENERIC = ("", None, "ANY")


class CatalogueEntry(Resource):
    collection: str = ""
    label: str = ""

    def entry(self, req: falcon.Request, oid: str) -> dict:
        doc = self.store[self.collection].find_one({"_id": ObjectId(oid)}) if OBJECTID_RE.match(oid) else None
        env = (doc or {}).get("environment")
        if doc is None or (env not in GENERIC and self.envs(req).find(env) is None):
            raise not_found(f"no {self.label} {oid}")
        return doc

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.query(req)
        resp.media = jsonio.single(self.entry(req, id))

    def replace(self, old: dict, new: dict) -> None:
        new = dict(new)
        if old.get("_seed"):
            new["_seed"] = old["_seed"]
        self.store[self.collection].replace_one({"_id": old["_id"]}, new)

    def remove(self, old: dict) -> None:
        forget_seed(self.store.__getitem__, self.collection, old)
        self.store[self.collection].delete_one({"_id": old["_id"]})
