"""/clique_types and /clique_types/{id}: which link types make up the clique of each focal point type.

Reading follows the caller's environments; creating, changing and deleting is for admins. The
same rules (spec §1.5.5) guard POST and PUT. Link types may be any of the catalogue's, including
those added through /link_types, not only the shipped constants.
"""

from __future__ import annotations

import falcon
from bson import ObjectId

from api.errors import bad_request
from api.params import Param, check_body
from api.resources.base import Resource
from api.resources.catalogue_entry import CatalogueEntry
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.errors import Problem

FIELDS = ("id", "focal_point_type", "link_types", "environment", "name", "distribution",
          "distribution_version", "mechanism_drivers", "type_drivers", "environment_type", "network_type",
          "use_implicit_links")
QUERY = (
    Param("env_name"), Param("id", "objectid", doc="single-object mode"),
    Param("distribution", choices="distributions"), Param("distribution_version"),
    Param("mechanism_drivers", choices="mechanism_drivers"), Param("type_drivers", choices="type_drivers"),
    Param("focal_point_type", choices="object_types"),
    Param("link_type", "strings", choices="link_types", doc="every one of these link types"),
    Param("name"),
) + PAGING
BODY = (
    Param("environment"), Param("focal_point_type", required=True, choices="object_types"),
    Param("link_types", "list", required=True, choices="link_types",
          doc="followed in this order; any type of /link_types"), Param("name", required=True),
    Param("environment_type", choices="environment_types"),
    Param("distribution", choices="distributions"), Param("distribution_version"),
    Param("mechanism_drivers", choices="mechanism_drivers"), Param("type_drivers", choices="type_drivers"),
    Param("use_implicit_links", "bool", convert=False),
    Param("network_type", "list", choices="type_drivers", doc="only for networks of these types (per network)"),
)
CLIQUE_TYPE = obj({"id": STR, "name": STR, "focal_point_type": STR, "link_types": {"type": "array"}},
                  required=("id", "focal_point_type", "link_types"))


def visible(envs: list[str]) -> dict:
    """Clique types of the caller's environments, plus the generic ones."""
    return {"$or": [{"environment": {"$exists": False}}, {"environment": {"$in": envs + ["", "ANY"]}},
                    {"environment": None}]}


def _others(coll, query: dict, exclude) -> list[dict]:
    return [d for d in coll.find(query, {"_id": 1}) if d["_id"] != exclude]


class CliqueTypeRules:
    """Body checks shared by POST and PUT; `exclude` is the clique type being replaced."""

    def __init__(self, resource: Resource):
        self.r = resource
        self.coll = resource.store["clique_types"]

    def choices(self, name: str) -> list[str]:
        values = self.r.deps.catalog.values(name)
        if name == "link_types":
            values = values + [d["type"] for d in self.r.store["link_types"].find({}, {"type": 1}) if d.get("type")]
        return values

    def body(self, req: falcon.Request, exclude: ObjectId | None = None) -> dict:
        self.r.query(req)
        b = check_body(BODY, self.r.json_body(req), self.choices)
        if "distribution_version" in b and "distribution" not in b:
            raise bad_request([Problem("distribution_version", "Distribution version without distribution is not allowed")])
        configured = ("distribution" in b and "distribution_version" in b) or "mechanism_drivers" in b \
            or "type_drivers" in b or "environment_type" in b
        env = b.get("environment")
        if env:
            if configured:
                raise bad_request([Problem("environment", "Either environment or configuration should be specified (not both).")])
            if env.upper() != "ANY":  # ANY: the generic fallback clique type
                self.r.envs(req).view(env)
            if _others(self.coll, {"environment": env, "focal_point_type": b["focal_point_type"]}, exclude):
                raise bad_request([Problem("focal_point_type", f"Clique type with focal point {b['focal_point_type']} "
                                                               f"is already registered for environment {env}")])
            if _others(self.coll, {"environment": env, "name": b["name"]}, exclude):
                raise bad_request([Problem("name", f"Clique type named {b['name']} is already registered "
                                                   f"for environment {env}")])
        else:
            if not configured:
                raise bad_request([Problem("environment", "Either environment or configuration should be specified.")])
            search = {"focal_point_type": b["focal_point_type"]}
            for keys in (("distribution", "distribution_version"), ("mechanism_drivers",), ("type_drivers",),
                         ("environment_type",)):
                if keys[0] in b:
                    search.update({key: b[key] for key in keys if key in b})
                    break
            # a type scoped to network types is another configuration than the unscoped one
            search["network_type"] = b["network_type"] if "network_type" in b else {"$exists": False}
            if _others(self.coll, search, exclude):
                shown = ", ".join(f"{key}={val}" for key, val in search.items() if not isinstance(val, dict))
                raise bad_request([Problem("focal_point_type", f"Clique type with configuration '{shown}' is already registered")])
        return b


class CliqueTypes(Resource):
    operations = {
        "GET": Operation("Clique types", query=QUERY, env_scoped=True, tags=("catalogue",),
                         response={"anyOf": [listing("clique_types", FIELDS), obj({"id": STR})]}),
        "POST": Operation("Add a clique type (admin)", body=BODY, response=MESSAGE, status=201, auth="admin",
                          tags=("catalogue",)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        if "distribution_version" in v and "distribution" not in v:
            raise bad_request([Problem("distribution_version", "Distribution version without distribution is not allowed")])
        if "env_name" in v:
            query: dict = {"environment": self.envs(req).view(v["env_name"])["name"]}
        else:
            query = visible(self.envs(req).names())
        for f in ("distribution", "distribution_version", "mechanism_drivers", "type_drivers",
                  "focal_point_type", "name"):
            if f in v:
                query[f] = v[f]
        if "link_type" in v:
            query["link_types"] = {"$all": v["link_type"]}
        single = {"_id": v["id"]} if "id" in v else None
        self.list_or_single(req, resp, self.store["clique_types"], query, v, "clique_types", FIELDS, single)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = CliqueTypeRules(self).body(req)
        oid = self.store["clique_types"].insert_one(dict(b)).inserted_id
        self.created(resp, "Created a new clique_type", oid)


class CliqueType(CatalogueEntry):
    collection, label = "clique_types", "clique type"
    operations = {
        "GET": Operation("One clique type", tags=("catalogue",), response=CLIQUE_TYPE),
        "PUT": Operation("Replace a clique type (admin); the next scan or cliques-only scan applies it", body=BODY,
                         response=MESSAGE, auth="admin", tags=("catalogue",)),
        "DELETE": Operation("Delete a clique type (admin)", response=MESSAGE, auth="admin", tags=("catalogue",)),
    }

    def on_put(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        old = self.entry(req, id)
        b = CliqueTypeRules(self).body(req, exclude=old["_id"])
        self.replace(old, b)
        resp.media = {"message": f"Updated clique_type {b['name']}", "id": str(old["_id"])}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.query(req)
        old = self.entry(req, id)
        self.remove(old)
        resp.media = {"message": f"Deleted clique_type {old.get('name') or id}", "id": str(old["_id"])}


def routes(deps):
    return [("/clique_types", CliqueTypes(deps)), ("/clique_types/{id}", CliqueType(deps))]
