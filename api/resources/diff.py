"""/diff: what changed in an environment between two scans or times, answered from the change log."""

from __future__ import annotations

import falcon

from api import jsonio
from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.resources.topology_export import FORMAT, send
from api.spec import Operation, obj
from app.changediff import DEFAULT_LIMIT, BadPoint, diff
from app.changelog import ChangeLog
from app.errors import Problem
from app.topology.export import from_diff

QUERY = (
    Param("env_name", required=True),
    Param("from", required=True, doc="scan id, or ISO 8601 time: the state right after it"),
    Param("to", doc="scan id, or ISO 8601 time; default now"),
    Param("type", "strings", doc="object type or link type (repeatable); a link matches by either end's type too"),
    Param("id_path", doc="only objects in this subtree, and links with an end in it"),
    Param("limit", "int", default=DEFAULT_LIMIT, minimum=1, maximum=100_000,
          doc="most rows per list (counts stay complete; `truncated` says when a list was cut)"),
    FORMAT,
)

_ROWS = {"type": "array", "items": {"type": "object"}}
_LISTS = obj({op: _ROWS for op in ("added", "changed", "removed")}, required=("added", "changed", "removed"))
_COUNTS = obj({op: {"type": "integer"} for op in ("added", "changed", "removed")})
_POINT = obj({"seq": {"type": "integer"}, "time": {"type": ["string", "null"]}, "scan_id": {"type": ["string", "null"]}})
RESPONSE = obj({"environment": {"type": "string"}, "from": _POINT, "to": _POINT, "complete": {"type": "boolean"},
                "truncated": {"type": "boolean"}, "entries": {"type": "integer"}, "scans": {"type": "array", "items": {"type": "string"}},
                "counts": obj({"objects": _COUNTS, "links": _COUNTS}), "objects": _LISTS, "links": _LISTS},
               required=("environment", "from", "to", "complete", "counts", "objects", "links"))


class Diff(Resource):
    operations = {"GET": Operation("Objects and links added, removed and changed between two scans or times",
                                   query=QUERY, env_scoped=True, tags=("inventory",), response=RESPONSE)}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        env = self.envs(req).view(v["env_name"])["name"]
        types = v.get("type") or []
        known = set(self.deps.catalog.values("object_types")) | set(self.deps.catalog.values("link_types"))
        bad = [t for t in types if known and t not in known]
        problems = [Problem("type", f"{t[:80]!r} is neither an object type nor a link type") for t in bad]
        if "id_path" in v and not v["id_path"].startswith("/"):
            problems.append(Problem("id_path", "must be an id_path, starting with '/'"))
        if problems:
            raise bad_request(problems)
        try:
            out = diff(ChangeLog(self.store, self.deps.clock), env, v["from"], v.get("to"), types,
                       v.get("id_path"), v["limit"], store=self.store, clock=self.deps.clock)
        except BadPoint as e:
            raise bad_request([Problem(e.name, str(e))]) from None
        out = jsonio.plain(out)
        send(resp, v["format"], out, lambda: from_diff(out), f"diff-{env}")


def routes(deps):
    return [("/diff", Diff(deps))]
