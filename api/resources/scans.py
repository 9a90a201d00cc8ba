"""/scans: scan requests. POST queues one (status pending) for the scan manager; needs edit-env."""

from __future__ import annotations

import falcon

from api import jsonio
from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.errors import Problem
from app.scans import Scans as ScanQueue
from app.store.names import CollectionNames

FIELDS = ("id", "environment", "status", "submit_timestamp", "start_timestamp", "end_timestamp", "log_level", "clear",
          "scan_only_inventory", "scan_only_links", "scan_only_cliques", "implicit_links", "object_id", "origin",
          "distributed")
SCAN_ONLY = ("scan_only_inventory", "scan_only_links", "scan_only_cliques")
QUERY = (
    Param("env_name", required=True), Param("id", "objectid", doc="single-object mode"),
    Param("base_object", doc="object_id of partial scans"), Param("status", choices="scans_statuses"),
    Param("latest", "bool", doc="only the most recent scan, as a one-element array"),
) + PAGING
BODY = (
    Param("env_name", required=True), Param("log_level", required=True, choices="log_levels"),
    Param("clear", "bool", default=True), *(Param(f, "bool", default=False) for f in SCAN_ONLY),
    Param("implicit_links", "bool", default=False), Param("es_index", "bool", default=False),
    Param("inventory", doc="alternative inventory collection"), Param("object_id", doc="scan only this object"),
    Param("distributed", "bool", default=False, doc="spread the hosts over the running scan workers (calipso scan-worker)"),
)


def check_scan_options(b: dict) -> list[Problem]:
    problems = []
    on = [f for f in SCAN_ONLY if b.get(f)]
    if len(on) > 1:
        problems.append(Problem(on[1], f"only one scan_only_* flag may be true, found {', '.join(on)}"))
    if b.get("distributed") and (b.get("object_id") or any(b.get(f) for f in SCAN_ONLY[1:])):
        problems.append(Problem("distributed", "a distributed scan takes a whole inventory: not one object "
                                               "(object_id), nor links or cliques only (scan_only_links, "
                                               "scan_only_cliques)"))
    if "inventory" in b:
        try:
            CollectionNames(b["inventory"])
        except ValueError as e:
            problems.append(Problem("inventory", str(e)))
    return problems


class Scans(Resource):
    operations = {
        "GET": Operation("Scan requests of an environment", query=QUERY, env_scoped=True, tags=("scans",),
                         response={"anyOf": [listing("scans", FIELDS), obj({"id": STR}),
                                             {"type": "array", "items": {"type": "object"}}]}),
        "POST": Operation("Request a scan (edit-env)", body=BODY, response=MESSAGE, status=201, write=True,
                          env_scoped=True, tags=("scans",)),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = self.env_filter(req, v["env_name"])
        if "base_object" in v:
            query["object_id"] = v["base_object"]
        if "status" in v:
            query["status"] = v["status"]
        coll = self.store["scans"]
        if v.get("latest"):
            docs = list(coll.find(query).sort([("submit_timestamp", -1), ("_id", -1)]).limit(1))
            resp.media = [jsonio.single(d) for d in docs]
            return
        single = {"_id": v["id"]} if "id" in v else None
        self.list_or_single(req, resp, coll, query, v, "scans", FIELDS, single,
                            sort=(("submit_timestamp", -1), ("_id", -1)))  # newest first

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        problems = check_scan_options(b)
        if problems:
            raise bad_request(problems)
        env = self.envs(req).edit(b["env_name"])
        options = {key: val for key, val in b.items() if key != "env_name"}
        oid = ScanQueue(self.store, self.deps.clock).submit(env["name"], origin="manual scan", **options)
        self.created(resp, f"Created a new scan for environment {env['name']}", oid)


def routes(deps):
    return [("/scans", Scans(deps))]
