"""/scheduled_scans: recurring scan requests; POST and DELETE need edit-env."""

from __future__ import annotations

import falcon

from bson import ObjectId

from api import jsonio
from api.errors import bad_request, not_found
from api.params import OBJECTID_RE, Param
from api.resources import bulk_delete
from api.resources.base import Resource
from api.resources.scans import SCAN_ONLY, check_scan_options
from api.spec import MESSAGE, PAGING, STR, Operation, listing, obj
from app.errors import Problem
from app.scans import ScheduledScans as Schedules

RECURRENCES = ("ONCE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")
FIELDS = ("id", "environment", "scheduled_timestamp", "recurrence", "status")
QUERY = (Param("env_name", required=True), Param("id", "objectid", doc="single-object mode"),
         Param("recurrence", choices=RECURRENCES)) + PAGING
BODY = (
    Param("env_name", required=True), Param("recurrence", required=True, choices=RECURRENCES),
    Param("log_level", required=True, choices="log_levels"), Param("clear", "bool", default=True),
    *(Param(f, "bool", default=False) for f in SCAN_ONLY),
    Param("implicit_links", "bool", default=False), Param("es_index", "bool", default=False),
    Param("scheduled_timestamp", "datetime", may_be_empty=True, doc="first run; required for ONCE; in the future"),
)


def checked(resource: Resource, req: falcon.Request, keep=None) -> tuple[dict, object]:
    """The body and the next run (None: now; `keep`: the schedule's own when none is given), or a 400
    listing every problem."""
    b = resource.body(req)
    problems = check_scan_options(b)
    given = b.pop("scheduled_timestamp", None) or None
    when = given or keep
    if when is None and b["recurrence"] == "ONCE":
        problems.append(Problem("scheduled_timestamp",
                                "scheduled_timestamp field is mandatory when scheduled scan recurrence is set to 'ONCE'"))
    if given is not None and given < resource.deps.clock():
        problems.append(Problem("scheduled_timestamp", "must not be in the past"))
    if problems:
        raise bad_request(problems)
    return b, when


class ScheduledScans(Resource):
    operations = {
        "GET": Operation("Scheduled scans of an environment", query=QUERY, env_scoped=True, tags=("scans",),
                         response={"anyOf": [listing("scheduled_scans", FIELDS), obj({"id": STR})]}),
        "POST": Operation("Schedule a scan (edit-env)", body=BODY, response=MESSAGE, status=201, write=True,
                          env_scoped=True, tags=("scans",)),
        "DELETE": bulk_delete.operation("scheduled scans"),
    }

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        query = self.env_filter(req, v["env_name"])
        if "recurrence" in v:
            query["recurrence"] = v["recurrence"]
        single = {"_id": v["id"]} if "id" in v else None
        self.list_or_single(req, resp, self.store["scheduled_scans"], query, v, "scheduled_scans", FIELDS, single)

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        b, when = checked(self, req)
        env = self.envs(req).edit(b["env_name"])
        options = {key: val for key, val in b.items() if key not in ("env_name", "recurrence")}
        oid = Schedules(self.store, self.deps.clock).add(env["name"], b["recurrence"], when, **options)
        self.created(resp, f"Created a new scheduled scan for environment {env['name']}", oid)

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        bulk_delete.delete(self, req, resp, "scheduled_scans")


class ScheduledScan(Resource):
    """/scheduled_scans/{id}: one schedule, changed in place (its id stays) or deleted; edit-env."""

    operations = {
        "GET": Operation("One scheduled scan", env_scoped=True, tags=("scans",), response=obj({"id": STR})),
        "PUT": Operation("Change a scheduled scan (edit-env); its environment cannot change; without "
                         "scheduled_timestamp its next run stays", body=BODY,
                         response=MESSAGE, write=True, env_scoped=True, tags=("scans",)),
        "DELETE": Operation("Delete a scheduled scan (edit-env)", response=MESSAGE, write=True, env_scoped=True,
                            tags=("scans",)),
    }

    def _doc(self, req: falcon.Request, oid: str) -> dict:
        doc = self.store["scheduled_scans"].find_one({"_id": ObjectId(oid)}) if OBJECTID_RE.match(oid) else None
        if doc is None or self.envs(req).find(doc.get("environment")) is None:
            raise not_found(f"no scheduled scan {oid}")
        return doc

    def on_get(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.query(req)
        resp.media = jsonio.single(self._doc(req, id))

    def on_put(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.query(req)
        old = self._doc(req, id)
        b, when = checked(self, req, keep=old.get("scheduled_timestamp"))
        if b["env_name"] != old["environment"]:
            raise bad_request([Problem("env_name", f"must stay {old['environment']} (delete and create instead)")])
        self.envs(req).edit(old["environment"])
        update = {key: val for key, val in b.items() if key != "env_name"}
        update.update(scheduled_timestamp=when or self.deps.clock(), status="upcoming")
        self.store["scheduled_scans"].update_one({"_id": old["_id"]}, {"$set": update})
        resp.media = {"message": f"Updated scheduled scan for environment {old['environment']}", "id": id}

    def on_delete(self, req: falcon.Request, resp: falcon.Response, id: str) -> None:
        self.query(req)
        old = self._doc(req, id)
        self.envs(req).edit(old["environment"])
        self.store["scheduled_scans"].delete_one({"_id": old["_id"]})
        resp.media = {"message": f"Deleted scheduled scan for environment {old['environment']}", "id": id}


def routes(deps):
    return [("/scheduled_scans", ScheduledScans(deps)), ("/scheduled_scans/{id}", ScheduledScan(deps))]
