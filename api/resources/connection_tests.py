"""/connection_tests: ask the scan manager to test configuration sections before saving an environment.

Unlike the original, a POST sets status "request", so the test actually runs. The sections'
secrets are write-only like an environment's; for an existing environment, secrets the
request omits are taken from its stored configuration. Permissions: edit-env on an
existing environment, admin for one that does not exist yet.
"""

from __future__ import annotations

import falcon

from api import jsonio
from api.errors import bad_request, forbidden
from api.params import Param
from api.resources.base import Resource
from api.resources.secrets_out import scrub, secret_values
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.envconfig.fields import json_schema
from app.envconfig.secrets import keep_secrets, redact, register_secrets
from app.envconfig.validate import validate_sections
from app.errors import Problem

FIELDS = ("id", "environment", "status", "test_targets", "test_results")
QUERY = (
    Param("env_name", required=True), Param("id", "objectid", doc="single-object mode"),
    Param("status", choices=("request", "response")),
    Param("test_targets", "strings", choices="configuration_targets"), Param("test_results", "bool"),
) + PAGING
SECTION_SCHEMA = json_schema()["properties"]["configuration"]["items"]
BODY = (
    Param("environment", required=True), Param("test_targets", "list", required=True, choices="configuration_targets"),
    Param("targets_configuration", "sections", required=True, items=SECTION_SCHEMA),
)


def _shown(doc: dict, targets: list[str] | None, results: bool | None) -> dict:
    d = redact({"configuration": doc.get("targets_configuration") or []})
    doc = {**doc, "targets_configuration": d["configuration"]}
    out = jsonio.single(doc)
    if targets is not None or results is not None:
        keep = set(out.get("test_targets") or [])
        if targets is not None:
            keep &= set(targets)
        if results is not None:
            keep = {t for t in keep if (out.get("test_results") or {}).get(t) is results}
        out["test_targets"] = [t for t in out.get("test_targets") or [] if t in keep]
        out["targets_configuration"] = [s for s in out["targets_configuration"] if s.get("name") in keep]
        if isinstance(out.get("test_results"), dict):
            out["test_results"] = {t: r for t, r in out["test_results"].items() if t in keep}
    return out


class ConnectionTests(Resource):
    operations = {
        "GET": Operation("Connection tests of an environment (secrets never returned)", query=QUERY,
                         env_scoped=True, tags=("environments",),
                         response={"anyOf": [listing("connection_tests", FIELDS), obj({"id": STR})]}),
        "POST": Operation("Request a connection test (edit-env, or admin for a new environment)", body=BODY,
                          response=MESSAGE, status=201, write=True, env_scoped=True, tags=("environments",)),
    }

    def _scope(self, req: falcon.Request, env_name: str) -> dict:
        """Tests of an existing environment need view rights; of a future one, admin or the requester."""
        if self.store["environments_config"].find_one({"name": env_name}, {"_id": 1}) is not None:
            self.envs(req).view(env_name)
            return {"environment": env_name}
        caller = self.caller(req)
        return {"environment": env_name} if caller.admin else {"environment": env_name, "user": caller.username}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = self._scope(req, v["env_name"])
        if "status" in v:
            query["status"] = v["status"]
        coll = self.store["connection_tests"]
        if "id" in v:
            doc = coll.find_one({**query, "_id": v["id"]})
            resp.media = _shown(doc, v.get("test_targets"), v.get("test_results")) if doc else {}
            return
        if "test_targets" in v:
            query["test_targets"] = {"$all": v["test_targets"]}
        skip, limit, applied = self.page(v, resp)
        docs = coll.find(query, skip=skip, limit=limit).sort([("_id", 1)])
        self.send_list(resp, "connection_tests", docs, FIELDS, applied)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        env = self.store["environments_config"].find_one({"name": b["environment"]})
        if env is not None:
            self.envs(req).edit(b["environment"])
            sections = keep_secrets({"configuration": b["targets_configuration"]}, env)["configuration"]
        else:
            if not self.caller(req).admin:
                raise forbidden("Only an admin may test the configuration of a new environment")
            sections = b["targets_configuration"]
        secrets = secret_values(sections)
        checked, problems = validate_sections(sections, None, self.deps.catalog.get(), check_mandatory=False,
                                              path="targets_configuration")
        names = {s.get("name") for s in sections if isinstance(s, dict)}
        for target in b["test_targets"]:
            if target not in names:
                problems.append(Problem("targets_configuration", f"targets_configuration should contain an entry for target '{target}'"))
        if problems:
            raise bad_request(scrub(problems, secrets))
        register_secrets({"configuration": checked})
        doc = {"environment": b["environment"], "test_targets": b["test_targets"], "targets_configuration": checked,
               "status": "request", "submit_timestamp": self.deps.clock(), "user": self.caller(req).username}
        oid = self.store["connection_tests"].insert_one(doc).inserted_id
        self.created(resp, f"Created a new connection test for environment {b['environment']}", oid)


def routes(deps):
    return [("/connection_tests", ConnectionTests(deps))]
