"""/clique_types: which link types make up the clique of each focal point type; POST is for admins."""

from __future__ import annotations

import falcon

from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.errors import Problem

FIELDS = ("id", "focal_point_type", "link_types", "environment", "name", "distribution",
          "distribution_version", "mechanism_drivers", "type_drivers", "use_implicit_links")
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
    Param("link_types", "list", required=True, choices="link_types"), Param("name", required=True),
    Param("distribution", choices="distributions"), Param("distribution_version"),
    Param("mechanism_drivers", choices="mechanism_drivers"), Param("type_drivers", choices="type_drivers"),
    Param("use_implicit_links", "bool", convert=False),
)
GENERIC = ("", None, "ANY")


def visible(envs: list[str]) -> dict:
    """Clique types of the caller's environments, plus the generic ones."""
    return {"$or": [{"environment": {"$exists": False}}, {"environment": {"$in": envs + ["", "ANY"]}},
                    {"environment": None}]}


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
        b = self.body(req)
        coll = self.store["clique_types"]
        if "distribution_version" in b and "distribution" not in b:
            raise bad_request([Problem("distribution_version", "Distribution version without distribution is not allowed")])
        configured = ("distribution" in b and "distribution_version" in b) or "mechanism_drivers" in b \
            or "type_drivers" in b
        env = b.get("environment")
        if env:
            if configured:
                raise bad_request([Problem("environment", "Either environment or configuration should be specified (not both).")])
            if env.upper() == "ANY":
                pass  # the generic fallback clique type
            else:
                self.envs(req).view(env)
            if coll.find_one({"environment": env, "focal_point_type": b["focal_point_type"]}):
                raise bad_request([Problem("focal_point_type", f"Clique type with focal point {b['focal_point_type']} "
                                                               f"is already registered for environment {env}")])
        else:
            if not configured:
                raise bad_request([Problem("environment", "Either environment or configuration should be specified.")])
            search = {"focal_point_type": b["focal_point_type"]}
            for keys in (("distribution", "distribution_version"), ("mechanism_drivers",), ("type_drivers",)):
                if keys[0] in b:
                    search.update({key: b[key] for key in keys if key in b})
                    break
            if coll.find_one(search):
                shown = ", ".join(f"{key}={val}" for key, val in search.items())
                raise bad_request([Problem("focal_point_type", f"Clique type with configuration '{shown}' is already registered")])
        oid = coll.insert_one(dict(b)).inserted_id
        self.created(resp, "Created a new clique_type", oid)


def routes(deps):
    return [("/clique_types", CliqueTypes(deps))]
