"""/environment_configs: environment definitions. Secrets are write-only (never returned, kept on PUT).

POST is for admins (a new environment has nobody's edit-env yet); PUT and DELETE need edit-env,
and only an admin may change who can view and edit (`auth`).
"""

from __future__ import annotations

import copy
import threading

import falcon

from api import jsonio
from api.errors import bad_request, forbidden
from api.params import Param
from api.resources.base import Resource, conflict
from api.resources.secrets_out import scrub, secret_values
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.changelog import ChangeLog
from app.cliques import Cliques
from app.envconfig.fields import json_schema
from app.listener_queue import declare_for
from app.envconfig.repository import EnvironmentConfigs as Repository
from app.envconfig.secrets import redact
from app.errors import ValidationFailed
from app.inventory import Inventory
from app.links import Links
from app.tunnel_mesh import COLLECTION as MESHES

FIELDS = ("name", "distribution", "environment_type")
QUERY = (
    Param("name", doc="single-object mode"), Param("distribution", choices="distributions"),
    Param("distribution_version", choices="distribution_versions"),
    Param("mechanism_drivers", "strings", choices="mechanism_drivers", doc="every one of these drivers"),
    Param("type_drivers", choices="type_drivers"), Param("user"),
    Param("listen", "bool"), Param("scanned", "bool"), Param("monitoring_setup_done", "bool"),
    Param("operational", choices="environment_operational_status"),
    Param("environment_type", choices="environment_types"),
) + PAGING
ENV_DOC = obj({"name": STR, "configuration": {"type": "array"}}, required=("name",))


def shown(doc: dict) -> dict:
    out = jsonio.single(redact(doc), add_id=False)
    out.pop("_id", None)
    return out


def _invalid(e: ValidationFailed, doc) -> Exception:
    secrets = secret_values(doc.get("configuration") if isinstance(doc, dict) else None)
    return bad_request(scrub(e.problems, secrets))


class EnvironmentConfigs(Resource):
    operations = {
        "GET": Operation("Environment configurations (secrets never returned)", query=QUERY, env_scoped=True,
                         tags=("environments",), response={"anyOf": [listing("environment_configs", FIELDS), ENV_DOC]}),
        "POST": Operation("Add an environment (admin)", body_schema=json_schema(), response=MESSAGE, status=201,
                          auth="admin", tags=("environments",), errors=(409,)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        if "name" in v:
            resp.media = shown(self.envs(req).view(v["name"]))
            return
        query: dict = {"name": {"$in": self.envs(req).names()}}
        for f in ("distribution", "distribution_version", "type_drivers", "user", "listen", "scanned",
                  "monitoring_setup_done", "operational", "environment_type"):
            if f in v:
                query[f] = v[f]
        if "mechanism_drivers" in v:
            query["mechanism_drivers"] = {"$all": v["mechanism_drivers"]}
        self.list_or_single(req, resp, self.store["environments_config"], query, v, "environment_configs",
                            FIELDS, sort=(("name", 1),))

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.query(req)
        doc = self.json_object(req)
        repo = Repository(self.store, self.deps.catalog.get())
        if isinstance(doc.get("name"), str) and repo.find(doc["name"]) is not None:
            raise conflict(f"Environment with name '{doc['name']}' already exists")
        try:
            env = repo.add(doc)
        except ValidationFailed as e:
            if any(p.reason.endswith("already exists") for p in e.problems):
                raise conflict(f"Environment with name '{doc.get('name')}' already exists") from None
            raise _invalid(e, doc) from None
        _declare_queue(env)
        self.created(resp, f"Created environment configuration for {env['name']}")


def _declare_queue(env: dict) -> None:
    """A listening environment's queue is declared at once (events before the first listener run are
    kept), beside the request: a slow broker must not hold the answer."""
    threading.Thread(target=declare_for, args=(env,), name=f"declare-{env['name']}", daemon=True).start()


class EnvironmentConfig(Resource):
    operations = {
        "GET": Operation("One environment configuration (secrets never returned)", env_scoped=True,
                         tags=("environments",), response=ENV_DOC),
        "PUT": Operation("Replace an environment configuration (edit-env; secrets it omits are kept)",
                         body_schema=json_schema(), response=MESSAGE, write=True, env_scoped=True,
                         tags=("environments",)),
        "DELETE": Operation("Delete an environment configuration (edit-env)",
                            query=(Param("purge", "bool", default=False,
                                         doc="also delete its inventory, links and cliques"),),
                            response=MESSAGE, write=True, env_scoped=True, tags=("environments",)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        self.query(req)
        resp.media = shown(self.envs(req).view(name))

    def on_put(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        self.query(req)
        old = self.envs(req).edit(name)
        doc = copy.deepcopy(self.json_object(req))
        doc.pop("_id", None)
        if "auth" in doc and doc["auth"] != old.get("auth") and not self.caller(req).admin:
            raise forbidden("Only an admin may change who can view and edit an environment (auth)")
        for kept in ("auth", "user"):
            if kept not in doc and kept in old:
                doc[kept] = old[kept]
        try:
            env = Repository(self.store, self.deps.catalog.get()).replace(name, doc)
        except ValidationFailed as e:
            raise _invalid(e, doc) from None
        _declare_queue(env)
        resp.media = {"message": f"Updated environment configuration for {name}"}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, name: str) -> None:
        v = self.query(req)
        self.envs(req).edit(name)
        Repository(self.store).delete(name)
        removed = {"scheduled_scans": self.store["scheduled_scans"].delete_many({"environment": name}).deleted_count}
        if v["purge"]:
            removed.update(inventory=Inventory(self.store).clear(name), links=Links(self.store).clear(name),
                           cliques=Cliques(self.store).clear(name), changes=ChangeLog(self.store).forget(name),
                           tunnel_meshes=self.store[MESHES].delete_many({"environment": name}).deleted_count)
        resp.media = {"message": f"Deleted environment configuration for {name}", "deleted": removed}


def routes(deps):
    return [("/environment_configs", EnvironmentConfigs(deps)),
            ("/environment_configs/{name}", EnvironmentConfig(deps))]
