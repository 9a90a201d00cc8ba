"""/summary: what a console shows of each environment the caller may view, in one cheap call.

Per environment: its identity and scan state, object counts for the types a dashboard shows,
message counts by severity (recent ones), the regions and projects, and `version`, a marker
that changes whenever the inventory, links, messages or scans of the environment change, so a
client polling for changes compares one string. Every count is an indexed `count` command.
"""

from __future__ import annotations

from datetime import timedelta

import falcon

from api import jsonio
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.store.keys import k

COUNTED_TYPES = ("instance", "vservice", "vconnector", "vedge", "host", "network", "port", "region", "project",
                 "availability_zone", "otep", "host_pnic")
LEVELS = {"error": ("panic", "alert", "crit", "critical", "error"), "warning": ("warn", "warning"),
          "info": ("notice", "info")}
LISTED = ("region", "project")
LIST_CAP = 200
ENV = obj({"name": STR, "version": STR, "objects": {"type": "integer"}, "links": {"type": "integer"},
           "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
           "messages": obj({lvl: {"type": "integer"} for lvl in LEVELS}),
           "regions": {"type": "array"}, "projects": {"type": "array"}, "last_scan": {"type": ["object", "null"]}},
          required=("name", "version", "objects", "counts", "messages"))
RESPONSE = obj({"environments": {"type": "array", "items": ENV},
                "messages": obj({lvl: {"type": "integer"} for lvl in LEVELS})}, required=("environments", "messages"))


class Summary(Resource):
    operations = {"GET": Operation(
        "Counters, lists and a change marker for each environment the caller may view (or one)",
        query=(Param("env_name", doc="only this environment"),
               Param("message_days", "int", default=14, minimum=1, maximum=3650,
                     doc="count messages of the last this many days")),
        env_scoped=True, tags=("inventory",), response=RESPONSE)}

    def _count(self, coll: str, query: dict) -> int:
        return int(self.store.db.command("count", self.store[coll].name, query=query)["n"])

    def _env(self, doc: dict, since, can_edit: bool) -> dict:
        env = doc["name"]
        counts = {t: self._count("inventory", {"_env_type": k(env, t)}) for t in COUNTED_TYPES}
        messages = {lvl: self._count("messages", {"environment": env, "level": {"$in": list(names)},
                                                  "timestamp": {"$gte": since}})
                    for lvl, names in LEVELS.items()}
        objects = self._count("inventory", {"environment": env})
        links = self._count("links", {"environment": env})
        all_messages = self._count("messages", {"environment": env})
        scan = next(iter(self.store["scans"].find({"environment": env}, {"status": 1, "submit_timestamp": 1,
                                                                         "start_timestamp": 1, "end_timestamp": 1})
                         .sort([("submit_timestamp", -1)]).limit(1)), None)
        lists = {}
        for t in LISTED:
            rows = self.store["inventory"].find({"_env_type": k(env, t)}, {"id": 1, "name": 1, "object_name": 1},
                                                limit=LIST_CAP)
            lists[t + "s"] = sorted(({"id": r.get("id"), "name": str(r.get("object_name") or r.get("name") or r.get("id"))}
                                     for r in rows), key=lambda r: r["name"].lower())
        last_scan = jsonio.plain({f: scan[f] for f in ("status", "submit_timestamp", "start_timestamp",
                                                       "end_timestamp") if f in scan}) if scan else None
        if last_scan is not None:
            last_scan["id"] = str(scan["_id"])
        version = "|".join(str(x) for x in (objects, links, all_messages, jsonio.plain(doc.get("last_scanned")),
                                            last_scan and last_scan["id"], last_scan and last_scan.get("status"),
                                            sum(counts.values())))
        return {"name": env, "environment_type": doc.get("environment_type"), "distribution": doc.get("distribution"),
                "distribution_version": doc.get("distribution_version"), "scanned": bool(doc.get("scanned")),
                "last_scanned": jsonio.plain(doc.get("last_scanned")), "listen": bool(doc.get("listen")),
                "operational": doc.get("operational"), "can_edit": can_edit, "objects": objects,
                "links": links, "counts": counts, "messages": messages, "last_scan": last_scan, "version": version,
                **lists}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        access = self.envs(req)
        names = [access.view(v["env_name"])["name"]] if "env_name" in v else access.names()
        since = self.deps.clock() - timedelta(days=v["message_days"])
        docs = {d["name"]: d for d in self.store["environments_config"].find(
            {"name": {"$in": names}}, {"name": 1, "environment_type": 1, "distribution": 1, "distribution_version": 1,
                                       "scanned": 1, "last_scanned": 1, "listen": 1, "operational": 1, "auth": 1})}
        caller = self.caller(req)
        envs = []
        for name in names:
            if name in docs:
                envs.append(self._env(docs[name], since, caller.can_edit(docs[name])))
        totals = {lvl: sum(e["messages"][lvl] for e in envs) for lvl in LEVELS}
        resp.media = {"environments": envs, "messages": totals}


def routes(deps):
    return [("/summary", Summary(deps))]
