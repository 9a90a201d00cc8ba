"""/grafana*: the Grafana simple-JSON datasource (health, variable search, table queries, route aliases).

Grafana is the client: it adds request fields of its own across versions (panelId, interval,
maxDataPoints, adhocFilters, ...), so top-level body fields these routes do not read are ignored;
every field they do read is checked, and every problem is listed in one 400. MongoDB operator
keys are refused anywhere in a body, as on every other route.

Authorization is the same as everywhere: only environments the caller may view exist for them
(an environment named in a search filter or a query's scopedVars that they may not view is a
404; the region/metro/environment lists are built from viewable environments only).
"""

from __future__ import annotations

import json

import falcon

from api import jsonio
from api.errors import bad_request
from api.params import _parse_datetime
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.errors import Problem
from app.keyenc import decode
from app.store.keys import k

ALL_VALUES = ("all", "$__all", "")
SEARCHES = {"regions": (), "metros": ("regions",), "environment_configs": ("regions", "metros"),
            "object_types": ("environment",)}
QUERY_TYPES = ("inventory", "inventoryCount", "scans", "tree")
TREE_TYPES = ("force_tree", "children_tree")
SCAN_COLUMNS = ("id", "status", "submit_timestamp", "start_timestamp", "end_timestamp", "log_level", "object_id")
SCHEDULED_COLUMNS = ("id", "recurrence", "status", "scheduled_timestamp", "submit_timestamp", "log_level")

TABLE = obj({"type": {"type": "string", "enum": ["table"]},
             "columns": {"type": "array", "items": obj({"text": STR}, required=("text",))},
             "rows": {"type": "array", "items": {"type": "array"}}}, required=("type", "columns", "rows"))
SEARCH_BODY = obj({"target": {"type": "string", "description": 'a query name (regions, metros, environment_configs, '
                              'object_types) or {"<name>": {filters}} as a JSON string; filter values all, $__all '
                              'or empty mean no filter'}}, required=("target",))
VAR = {"description": "a value, or Grafana's {\"text\", \"value\"} wrapping of it",
       "anyOf": [STR, obj({"value": STR})]}
QUERY_BODY = obj({
    "scopedVars": {**obj({"environment": VAR, "environment_configs": VAR, "object_type": VAR}),
                   "description": "must name the environment (environment or environment_configs)"},
    "targets": {"type": "array", "minItems": 1, "items": obj({
        "type": {"type": "string", "enum": list(QUERY_TYPES)},
        "object_type": {"type": "string", "description": "for inventory (or scopedVars.object_type)"}},
        required=("type",))},
    "range": obj({"from": {"type": "string", "format": "date-time"}, "to": {"type": "string", "format": "date-time"}}),
}, required=("scopedVars", "targets"))
ADDED_FIELDS_NOTE = " Other top-level fields Grafana sends are ignored."


def _json_only(req: falcon.Request) -> None:
    if not (req.content_type or "").split(";")[0].strip().lower() == "application/json":
        raise bad_request([Problem("Content-Type", "must be application/json")])


def _unwrap(value):
    """Grafana wraps variables as {"text", "value"}; a multi-value variable holding one value is a list of one."""
    if isinstance(value, dict) and "value" in value:
        value = value["value"]
    if isinstance(value, list) and len(value) == 1:
        value = value[0]
    return value


def _filter(where: str, value, problems: list[Problem]) -> list[str] | None:
    """A filter's values, or None for "no filter" (all, $__all, empty)."""
    value = _unwrap(value)
    if value is None:
        return None
    values = value if isinstance(value, list) else [value]
    if not all(isinstance(v, str) for v in values):
        problems.append(Problem(where, "must be a string or a list of strings"))
        return None
    if not values or any(v in ALL_VALUES for v in values):
        return None
    return values


def _lookup(doc: dict, attr: str):
    if attr in doc:
        return doc[attr]
    value = doc
    for part in attr.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def table(columns, rows) -> dict:
    return {"type": "table", "columns": [{"text": c} for c in columns], "rows": jsonio.plain(rows)}


class Grafana(Resource):
    operations = {"GET": Operation("Grafana datasource health: \"We're open\"", tags=("grafana",),
                                   response={"type": "string"})}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.query(req)
        resp.media = "We're open"


class GrafanaBase(Resource):
    def grafana_body(self, req: falcon.Request) -> dict:
        self.query(req)
        _json_only(req)
        return self.json_object(req)

    def viewable_envs(self, req: falcon.Request) -> list[dict]:
        caller = self.caller(req)
        docs = self.store["environments_config"].find(
            {}, {"name": 1, "auth": 1, "cvim_region": 1, "cvim_metro": 1, "environment_type": 1})
        return sorted((d for d in docs if isinstance(d.get("name"), str) and caller.can_view(d)),
                      key=lambda d: d["name"])

    def hover(self) -> dict[str, dict]:
        return {d["type"]: d for d in self.store["attributes_for_hover_on_data"].find({}, {"_id": 0})
                if isinstance(d.get("type"), str)}


class GrafanaSearch(GrafanaBase):
    operations = {"POST": Operation("Grafana variable values: regions, metros, environment_configs, object_types."
                                    + ADDED_FIELDS_NOTE, body_schema=SEARCH_BODY, env_scoped=True,
                                    tags=("grafana",), response={"type": "array", "items": STR})}

    def _parse(self, target) -> tuple[str, dict[str, list[str] | None]]:
        problems: list[Problem] = []
        if not isinstance(target, str) or not target.strip():
            raise bad_request([Problem("target", "is required: a query name or {\"<name>\": {filters}}")])
        text = target.strip()
        if not text.startswith("{"):
            name, raw_filters = text, {}
        else:
            try:
                parsed = json.loads(text)
            except (json.JSONDecodeError, RecursionError):
                raise bad_request([Problem("target", "is not valid JSON")]) from None
            if not isinstance(parsed, dict) or len(parsed) != 1:
                raise bad_request([Problem("target", 'must name exactly one query, as {"<name>": {filters}}')])
            name, raw_filters = next(iter(parsed.items()))
            if raw_filters is None:
                raw_filters = {}
            if not isinstance(raw_filters, dict):
                problems.append(Problem(f"target.{name}", "filters must be an object"))
                raw_filters = {}
        if name not in SEARCHES:
            shown = name if len(name) <= 64 else name[:64] + "..."
            raise bad_request([Problem("target", f"unknown query {shown!r}; one of: {', '.join(SEARCHES)}")])
        filters: dict[str, list[str] | None] = {}
        for key, value in raw_filters.items():
            where = f"target.{name}.{key}"
            if key not in SEARCHES[name]:
                allowed = ", ".join(SEARCHES[name]) or "none"
                problems.append(Problem(where, f"unknown filter (allowed: {allowed})"))
                continue
            filters[key] = _filter(where, value, problems)
        if problems:
            raise bad_request(problems)
        return name, filters

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        body = self.grafana_body(req)
        if "target" not in body:
            raise bad_request([Problem("target", "is required")])
        name, filters = self._parse(body["target"])
        if name == "object_types":
            resp.media = self._object_types(req, filters.get("environment"))
            return
        envs = self.viewable_envs(req)
        regions, metros = filters.get("regions"), filters.get("metros")
        if regions is not None:
            envs = [e for e in envs if e.get("cvim_region") in regions]
        if metros is not None:
            envs = [e for e in envs if e.get("cvim_metro") in metros]
        if name == "environment_configs":
            resp.media = [e["name"] for e in envs]
            return
        field = "cvim_region" if name == "regions" else "cvim_metro"
        resp.media = sorted({e[field] for e in envs if isinstance(e.get(field), str) and e[field]})

    def _object_types(self, req: falcon.Request, env_names: list[str] | None) -> list[str]:
        env_type = "OpenStack"
        if env_names is not None:
            if len(env_names) != 1:
                raise bad_request([Problem("target.object_types.environment", "must name one environment")])
            env_type = self.envs(req).view(env_names[0]).get("environment_type") or "OpenStack"
        docs = list(self.store["constants"].find({"name": "object_types"}))
        chosen = next((d for d in docs if d.get("environment_type") == env_type), None) or \
            next((d for d in docs if not d.get("environment_type")), None) or {}
        return [str(d["value"]) for d in chosen.get("data") or [] if isinstance(d, dict) and "value" in d]


class GrafanaQuery(GrafanaBase):
    operations = {"POST": Operation("Grafana tables of an environment: inventory (objects of a type with their hover "
                                    "attributes), inventoryCount, scans (requests and schedules), tree (graphs)."
                                    + ADDED_FIELDS_NOTE, body_schema=QUERY_BODY, env_scoped=True,
                                    tags=("grafana",), response={"type": "array", "items": TABLE})}

    def _parse(self, body: dict) -> dict:
        problems: list[Problem] = []
        out: dict = {}
        scoped = body.get("scopedVars")
        if not isinstance(scoped, dict):
            problems.append(Problem("scopedVars", "is required: an object naming the environment"
                                    if scoped is None else "must be an object"))
            scoped = {}
        else:
            key = "environment" if "environment" in scoped else "environment_configs"
            env = _unwrap(scoped.get(key))
            if key not in scoped:
                problems.append(Problem("scopedVars", "must contain environment or environment_configs"))
            elif not isinstance(env, str) or env in ALL_VALUES:
                problems.append(Problem(f"scopedVars.{key}", "must name one environment"))
            else:
                out["env"] = env
        targets = body.get("targets")
        target: dict = {}
        if not isinstance(targets, list) or not targets:
            problems.append(Problem("targets", "is required: a non-empty list" if targets is None
                                    else "must be a non-empty list"))
        elif not isinstance(targets[0], dict):
            problems.append(Problem("targets[0]", "must be an object"))
        else:
            target = targets[0]
            kind = target.get("type")
            if kind not in QUERY_TYPES:
                problems.append(Problem("targets[0].type", f"must be one of: {', '.join(QUERY_TYPES)}"))
            else:
                out["type"] = kind
        if out.get("type") == "inventory":
            where, object_type = "targets[0].object_type", target.get("object_type")
            if object_type is None:
                where, object_type = "scopedVars.object_type", _unwrap(scoped.get("object_type"))
            allowed = self.deps.catalog.values("object_types")
            if object_type is None:
                problems.append(Problem("targets[0].object_type", "is required for an inventory query "
                                        "(or scopedVars.object_type)"))
            elif not isinstance(object_type, str) or (allowed and object_type not in allowed):
                problems.append(Problem(where, f"must be one of: {', '.join(allowed)}"))
            else:
                out["object_type"] = object_type
        rng = body.get("range")
        if rng is not None:
            if not isinstance(rng, dict):
                problems.append(Problem("range", "must be an object {from, to}"))
            else:
                for end in ("from", "to"):
                    if rng.get(end) is None:
                        continue
                    when = _parse_datetime(rng[end]) if isinstance(rng[end], str) else None
                    if when is None:
                        problems.append(Problem(f"range.{end}", "must be an ISO 8601 date and time"))
                    else:
                        out[end] = when
        if problems:
            raise bad_request(problems)
        return out

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        q = self._parse(self.grafana_body(req))
        env = self.envs(req).view(q["env"])["name"]
        span = {op: q[end] for op, end in (("$gte", "from"), ("$lte", "to")) if end in q}
        resp.media = getattr(self, "_" + q["type"])(env, q, span)

    def _inventory(self, env: str, q: dict, span: dict) -> list[dict]:
        hover = self.hover()
        columns: list[str] = []
        for kind in ("ALL", q["object_type"]):
            for attr in (hover.get(kind) or {}).get("attributes") or []:
                if isinstance(attr, str) and attr not in columns:
                    columns.append(attr)
        query: dict = {"_env_type": k(env, q["object_type"])}
        if span:
            query["last_scanned"] = span
        docs = sorted((decode(d) for d in self.store["inventory"].find(query)),
                      key=lambda d: (str(d.get("name", "")), str(d.get("id", ""))))
        return [table(columns, [[_lookup(d, c) for c in columns] for d in docs])]

    def _inventoryCount(self, env: str, q: dict, span: dict) -> list[dict]:
        hover = self.hover()
        counts: dict[str, int] = {}
        for row in self.store["inventory"].aggregate([{"$match": {"environment": env}},
                                                      {"$group": {"_id": "$type", "total": {"$sum": 1}}}]):
            if row["_id"] is not None:
                counts[str(row["_id"])] = row["total"]
        rows = [[t, n, (hover.get(t) or {}).get("tooltip", "")] for t, n in sorted(counts.items())]
        return [table(("type", "count", "tooltip"), rows)]

    def _scans(self, env: str, q: dict, span: dict) -> list[dict]:
        query: dict = {"environment": env}
        if span:
            query["submit_timestamp"] = span
        scans = self.store["scans"].find(query).sort([("submit_timestamp", -1), ("_id", -1)])
        scheduled = self.store["scheduled_scans"].find({"environment": env}).sort([("scheduled_timestamp", 1),
                                                                                   ("_id", 1)])

        def rows(docs, columns):
            return [[d.get("_id") if c == "id" else d.get(c) for c in columns] for d in docs]

        return [table(SCAN_COLUMNS, rows(scans, SCAN_COLUMNS)), table(SCHEDULED_COLUMNS, rows(scheduled, SCHEDULED_COLUMNS))]

    def _tree(self, env: str, q: dict, span: dict) -> list[dict]:
        docs = self.store["graphs"].find({"environment": env, "type": {"$in": list(TREE_TYPES)}})
        rows = []
        for d in sorted(docs, key=lambda d: str(d.get("type"))):
            graph = jsonio.single(d, add_id=False)
            graph.pop("_id", None)
            rows.append([d.get("type"), graph])
        return [table(("type", "graph"), rows)]


ALIAS_PREFIX = "/grafana/query"
NOT_ALIASED = ("/auth", "/users", "/grafana", "/openapi.json")


def query_aliases(routes: list) -> list:
    """`/grafana/query/<core>` for each data route: the same resource (and so the same auth and checks)."""
    return [(ALIAS_PREFIX + path, resource) for path, resource in routes
            if not any(path == p or path.startswith(p + "/") for p in NOT_ALIASED)]


def routes(deps):
    return [("/grafana", Grafana(deps)), ("/grafana/search", GrafanaSearch(deps)), ("/grafana/query", GrafanaQuery(deps))]
