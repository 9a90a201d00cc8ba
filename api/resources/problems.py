"""/problems: what is in error or warning now, across the environments the caller may view.

Objects and links whose monitoring status (`status_value`) is 1 (warning) or 2 (error), worst
first, then newest first; with per-environment counts, so a dashboard shows them and a health
page lists them. Read through the `status` index (app.topology.graph.failing_filter: the embedded
store cannot answer the integer `status_value` from its index): the rows are the few that fail,
never the whole inventory.
"""

from __future__ import annotations

import falcon

from api import jsonio
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.topology.graph import failing_filter, status_of

LEVELS = {2: "Error", 1: "Warning"}
OBJECT_FIELDS = {"_id": 1, "id": 1, "type": 1, "name": 1, "object_name": 1, "environment": 1, "host": 1,
                 "switch": 1, "status": 1, "status_value": 1, "status_text": 1, "status_timestamp": 1, "clique": 1,
                 "name_path": 1, "stale_since": 1}
LINK_FIELDS = {"_id": 1, "link_type": 1, "link_name": 1, "environment": 1, "host": 1, "source_id": 1, "target_id": 1,
               "status": 1, "status_value": 1, "status_text": 1, "status_timestamp": 1, "stale_since": 1}
ROW = obj({"kind": STR, "environment": STR, "id": STR, "type": STR, "name": STR, "status": STR},
          required=("kind", "environment", "id", "type", "name", "status"))
RESPONSE = obj({"problems": {"type": "array", "items": ROW}, "counts": {"type": "object"},
                "total": obj({"Error": {"type": "integer"}, "Warning": {"type": "integer"}}),
                "shown": {"type": "integer"}}, required=("problems", "counts", "total"))


def _row(doc: dict, kind: str) -> dict:
    status = status_of(doc) or LEVELS.get(doc.get("status_value"), "Warning")
    if kind == "object":
        name = doc.get("object_name") or doc.get("name") or doc.get("id")
        row = {"id": doc.get("id"), "type": doc.get("type"), "name": str(name), "clique": bool(doc.get("clique")),
               "name_path": doc.get("name_path")}
    else:
        name = doc.get("link_name") or f"{doc.get('source_id')} → {doc.get('target_id')}"
        row = {"id": str(doc["_id"]), "type": doc.get("link_type"), "name": str(name),
               "source_id": doc.get("source_id"), "target_id": doc.get("target_id")}
    host = doc.get("host") if isinstance(doc.get("host"), str) else None
    return jsonio.plain({"kind": kind, "environment": doc.get("environment"), **row, "host": host,
                         "switch": doc.get("switch") if isinstance(doc.get("switch"), str) else None,
                         "status": status, "status_text": doc.get("status_text"),
                         "status_timestamp": doc.get("status_timestamp"), "stale": bool(doc.get("stale_since"))})


class Problems(Resource):
    operations = {"GET": Operation(
        "Objects and links in error or warning now, in the environments the caller may view (or one), "
        "worst first then newest first, with counts per environment",
        query=(Param("env_name", doc="only this environment"),
               Param("limit", "int", default=500, minimum=1, maximum=5000, doc="rows listed at most (counts are whole)")),
        env_scoped=True, tags=("monitoring",), response=RESPONSE)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        access = self.envs(req)
        names = {access.view(v["env_name"])["name"]} if "env_name" in v else set(access.names())
        query = failing_filter(self.store)
        rows = [_row(d, "object") for d in self.store["inventory"].find(query, OBJECT_FIELDS)
                if d.get("environment") in names and d.get("status_value") in LEVELS]
        rows += [_row(d, "link") for d in self.store["links"].find(query, LINK_FIELDS)
                 if d.get("environment") in names and d.get("status_value") in LEVELS]
        counts = {n: {"Error": 0, "Warning": 0} for n in sorted(names)}
        for r in rows:
            counts[r["environment"]][r["status"] if r["status"] in ("Error", "Warning") else "Warning"] += 1
        rows.sort(key=lambda r: str(r.get("status_timestamp") or ""), reverse=True)
        rows.sort(key=lambda r: r["status"] != "Error")
        total = {s: sum(c[s] for c in counts.values()) for s in ("Error", "Warning")}
        resp.media = {"problems": rows[:v["limit"]], "counts": counts, "total": total, "shown": min(len(rows), v["limit"])}


def routes(deps):
    return [("/problems", Problems(deps))]
