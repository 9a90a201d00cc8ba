"""/summary: what a console shows of each environment the caller may view, in one cheap call.

Per environment: its identity and scan state, object counts for the types a dashboard shows,
message counts by severity (recent ones), the regions and projects, and `version`, a marker
that changes whenever the inventory, links, messages or scans of the environment change, so a
client polling for changes compares one string.

The version is read from O(1) places: the environment's change-log counter (every scan and
listener batch bumps it), the number of messages (monitoring writes one per state change), the
environment's last scan and its latest scan request. Counting costs time in proportion to the
objects counted (about 20 µs each on the embedded store), so counts are kept per environment
and version and recomputed only when the version moved: a console polling every second costs
a few indexed reads while nothing changes.
"""

from __future__ import annotations

import threading
from datetime import timedelta

import falcon

from api import jsonio
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.store.keys import k

COUNTED_TYPES = ("instance", "vservice", "vconnector", "vedge", "host", "network", "region", "project",
                 "availability_zone", "otep")
LEVELS = {"error": ("panic", "alert", "crit", "critical", "error"), "warning": ("warn", "warning"),
          "info": ("notice", "info")}
LISTED = ("region", "project")
LIST_CAP = 200
ENV = obj({"name": STR, "version": STR, "objects": {"type": "integer"}, "links": {"type": "integer"},
           "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
           "messages": obj({lvl: {"type": "integer"} for lvl in LEVELS}),
           "regions": {"type": "array"}, "projects": {"type": "array"}, "last_scan": {"type": ["object", "null"]}},
          required=("name", "version"))
RESPONSE = obj({"environments": {"type": "array", "items": ENV},
                "messages": obj({lvl: {"type": "integer"} for lvl in LEVELS})}, required=("environments",))


class Summary(Resource):
    operations = {"GET": Operation(
        "Counters, lists and a change marker for each environment the caller may view (or one)",
        query=(Param("env_name", doc="only this environment"),
               Param("counts", "bool", default=True,
                     doc="false: only identity, scan state and version (cheap; for change polling)"),
               Param("message_days", "int", default=14, minimum=1, maximum=3650,
                     doc="count messages of the last this many days")),
        env_scoped=True, tags=("inventory",), response=RESPONSE)}

    def __init__(self, deps):
        super().__init__(deps)
        self._cache: dict[tuple[str, int], tuple[str, float, dict]] = {}   # (env, days) -> (version, at, part)
        self._lock = threading.Lock()

    def _count(self, coll: str, query: dict) -> int:
        return int(self.store.db.command("count", self.store[coll].name, query=query)["n"])

    def _version(self, doc: dict, messages_total: int) -> tuple[str, dict | None]:
        env = doc["name"]
        state = self.store["changes_state"].find_one({"_id": env}) or {}
        scan = next(iter(self.store["scans"].find({"environment": env}, {"status": 1, "submit_timestamp": 1,
                                                                         "start_timestamp": 1, "end_timestamp": 1})
                         .sort([("submit_timestamp", -1)]).limit(1)), None)
        last_scan = None
        if scan:
            last_scan = jsonio.plain({f: scan[f] for f in ("status", "submit_timestamp", "start_timestamp",
                                                           "end_timestamp") if f in scan})
            last_scan["id"] = str(scan["_id"])
        version = "|".join(str(x) for x in (state.get("seq", 0), messages_total, jsonio.plain(doc.get("last_scanned")),
                                            doc.get("scanned"), last_scan and last_scan["id"],
                                            last_scan and last_scan.get("status")))
        return version, last_scan

    def _counted(self, env: str, since) -> dict:
        """The part that costs: counts, message levels and the region/project lists."""
        counts = {t: self._count("inventory", {"_env_type": k(env, t)}) for t in COUNTED_TYPES}
        messages = {lvl: self._count("messages", {"environment": env, "level": {"$in": list(names)},
                                                  "timestamp": {"$gte": since}})
                    for lvl, names in LEVELS.items()}
        lists = {}
        for t in LISTED:
            rows = self.store["inventory"].find({"_env_type": k(env, t)}, {"id": 1, "name": 1, "object_name": 1},
                                                limit=LIST_CAP)
            lists[t + "s"] = sorted(({"id": r.get("id"), "name": str(r.get("object_name") or r.get("name") or r.get("id"))}
                                     for r in rows), key=lambda r: r["name"].lower())
        return {"counts": counts, "messages": messages, "objects": self._count("inventory", {"environment": env}),
                "links": self._count("links", {"environment": env}), **lists}

    def _env(self, doc: dict, days: int, can_edit: bool, messages_total: int, with_counts: bool = True) -> dict:
        env = doc["name"]
        version, last_scan = self._version(doc, messages_total)
        head = {"name": env, "environment_type": doc.get("environment_type"), "distribution": doc.get("distribution"),
                "distribution_version": doc.get("distribution_version"), "scanned": bool(doc.get("scanned")),
                "last_scanned": jsonio.plain(doc.get("last_scanned")), "listen": bool(doc.get("listen")),
                "operational": doc.get("operational"), "can_edit": can_edit, "last_scan": last_scan,
                "version": version}
        if not with_counts:
            return head
        key = (env, days)
        with self._lock:
            cached = self._cache.get(key)
        now = self.deps.clock()
        # counts are kept for one version; message ages move with time, so at most a minute as well
        if cached is None or cached[0] != version or abs(now.timestamp() - cached[1]) > 60:
            part = self._counted(env, now - timedelta(days=days))
            with self._lock:
                self._cache[key] = (version, now.timestamp(), part)
        else:
            part = cached[2]
        return {**head, **part}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        access = self.envs(req)
        names = [access.view(v["env_name"])["name"]] if "env_name" in v else access.names()
        docs = {d["name"]: d for d in self.store["environments_config"].find(
            {"name": {"$in": names}}, {"name": 1, "environment_type": 1, "distribution": 1, "distribution_version": 1,
                                       "scanned": 1, "last_scanned": 1, "listen": 1, "operational": 1, "auth": 1})}
        caller = self.caller(req)
        messages_total = self.store["messages"].estimated_document_count()
        envs = [self._env(docs[name], v["message_days"], caller.can_edit(docs[name]), messages_total, v["counts"])
                for name in names if name in docs]
        if not v["counts"]:
            resp.media = {"environments": envs}
            return
        totals = {lvl: sum(e["messages"][lvl] for e in envs) for lvl in LEVELS}
        resp.media = {"environments": envs, "messages": totals}


def routes(deps):
    return [("/summary", Summary(deps))]
