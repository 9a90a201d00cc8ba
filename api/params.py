"""Parameter definitions: one per endpoint parameter, driving both validation and /openapi.json.

A `Param` says what a query parameter or a JSON body field accepts. `check_query` and
`check_body` apply a tuple of them and return the converted values, or raise one 400 that
lists every problem (parameter and reason). `schema()` gives the same rules as JSON Schema.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Callable, Iterable
from urllib.parse import parse_qsl

from bson import ObjectId

from api.errors import ApiError, bad_request
from app.errors import Problem

OBJECTID_RE = re.compile(r"^[0-9a-fA-F]{24}$")
TRUE = {"true", "1"}
FALSE = {"false", "0"}
MAX_STRING = 1024


@dataclass(frozen=True)
class Param:
    name: str
    kind: str = "string"          # string|bool|int|objectid|datetime|strings|id_list|object|list|sections|any
    required: bool = False
    default: Any = None
    choices: str | tuple | None = None   # a constants list name, or the allowed values
    may_be_empty: bool = False
    minimum: int | None = None
    maximum: int | None = None
    convert: bool = True          # body only: accept "true"/1 for booleans, "5" for ints
    secret: bool = False
    doc: str = ""
    items: dict | None = None     # JSON schema of list items / object, for the document


Choices = Callable[[str], list[str]]


def _empty(v) -> bool:
    return v is None or v == "" or v == [] or v == {}


def _allowed(p: Param, choices: Choices) -> list[str]:
    if isinstance(p.choices, tuple):
        return list(p.choices)
    return choices(p.choices) if p.choices else []


def _type_name(v) -> str:
    return {bool: "boolean", int: "integer", float: "number", str: "string", list: "list",
            dict: "object", type(None): "null"}.get(type(v), type(v).__name__)


def _parse_datetime(v: str) -> datetime | None:
    s = v.strip().replace(" ", "+") if "T" in v else v.strip()
    if s.endswith("Z"):
        s = s[:-1] + "+00:00"
    try:
        d = datetime.fromisoformat(s)
    except ValueError:
        return None
    return d if d.tzinfo else d.replace(tzinfo=timezone.utc)


def _no_operator(p: Param, v: str, problems: list[Problem]) -> bool:
    if v.startswith("$"):
        problems.append(Problem(p.name, "must not start with '$' (MongoDB operators are not accepted)"))
        return False
    if "\0" in v:
        problems.append(Problem(p.name, "must not contain NUL characters"))
        return False
    if len(v) > MAX_STRING:
        problems.append(Problem(p.name, f"is longer than {MAX_STRING} characters"))
        return False
    return True


def _one(p: Param, v, choices: Choices, problems: list[Problem], from_query: bool):
    """Check and convert one value; returns the converted value or None after a problem."""
    k = p.kind
    n = p.name
    if k == "any":
        return v
    if k == "bool":
        if isinstance(v, bool):
            return v
        if from_query or p.convert:
            s = str(v).lower() if isinstance(v, (str, int)) else None
            if s in TRUE:
                return True
            if s in FALSE:
                return False
        problems.append(Problem(n, f"must be a boolean (true or false){'' if from_query else ', got ' + _type_name(v)}"))
        return None
    if k == "int":
        if isinstance(v, bool):
            val = None
        elif isinstance(v, int):
            val = v
        elif isinstance(v, str) and (from_query or p.convert) and re.fullmatch(r"[+-]?\d{1,18}", v.strip()):
            val = int(v)
        else:
            val = None
        if val is None:
            problems.append(Problem(n, "must be an integer"))
            return None
        if p.minimum is not None and val < p.minimum:
            problems.append(Problem(n, f"must be at least {p.minimum}"))
            return None
        if p.maximum is not None and val > p.maximum:
            problems.append(Problem(n, f"must be at most {p.maximum}"))
            return None
        return val
    if k == "objectid":
        if isinstance(v, str) and OBJECTID_RE.match(v):
            return ObjectId(v)
        problems.append(Problem(n, "must be a MongoDB ObjectId (24 hexadecimal digits)"))
        return None
    if k == "id_list":
        if not isinstance(v, str):
            problems.append(Problem(n, "must be a comma-separated list of ObjectIds"))
            return None
        parts = [s.strip() for s in v.split(",") if s.strip()]
        bad = [s for s in parts if not OBJECTID_RE.match(s)]
        if bad or not parts:
            problems.append(Problem(n, "must be a comma-separated list of ObjectIds (24 hexadecimal digits each)"))
            return None
        return [ObjectId(s) for s in parts]
    if k == "datetime":
        if isinstance(v, str):
            d = _parse_datetime(v)
            if d is not None:
                return d
        problems.append(Problem(n, "must be an ISO 8601 date and time, e.g. 2024-05-01T10:00:00+00:00"))
        return None
    if k in ("strings", "list"):
        vals = v if isinstance(v, list) else ([v] if (from_query or k == "strings") and isinstance(v, str) else None)
        if vals is None or not all(isinstance(x, str) for x in vals):
            problems.append(Problem(n, "must be a list of strings"))
            return None
        allowed = _allowed(p, choices)
        out = []
        for x in vals:
            if not _no_operator(p, x, problems):
                return None
            if allowed and x not in allowed:
                problems.append(Problem(n, f"{x!r} is not one of: {', '.join(allowed)}"))
                return None
            out.append(x)
        return out
    if k == "object":
        if isinstance(v, dict):
            return v
        problems.append(Problem(n, f"must be an object, got {_type_name(v)}"))
        return None
    if k == "sections":
        if isinstance(v, list):
            return v
        problems.append(Problem(n, f"must be a list of configuration sections, got {_type_name(v)}"))
        return None
    # string
    if not isinstance(v, str):
        problems.append(Problem(n, f"must be a string, got {_type_name(v)}"))
        return None
    if not _no_operator(p, v, problems):
        return None
    allowed = _allowed(p, choices)
    if allowed and v not in allowed:
        shown = "" if p.secret else f"{v!r} "
        problems.append(Problem(n, f"{shown}is not one of: {', '.join(allowed)}"))
        return None
    return v


def _apply(params: Iterable[Param], raw: dict, choices: Choices, problems: list[Problem], from_query: bool) -> dict:
    out: dict = {}
    for p in params:
        if p.name not in raw:
            if p.required:
                problems.append(Problem(p.name, "is required"))
            elif p.default is not None:
                out[p.name] = p.default
            continue
        v = raw[p.name]
        if from_query and isinstance(v, list) and p.kind != "strings":
            problems.append(Problem(p.name, "is given more than once"))
            continue
        if _empty(v):
            if p.may_be_empty:
                out[p.name] = v
            else:
                problems.append(Problem(p.name, "must not be empty"))
            continue
        val = _one(p, v, choices, problems, from_query)
        if val is not None:
            out[p.name] = val
    return out


def parse_query_string(qs: str) -> dict:
    """`a=1&b=2&b=3` -> {"a": "1", "b": ["2", "3"]}; blank values kept; malformed -> 400."""
    if not qs:
        return {}
    try:
        pairs = parse_qsl(qs, keep_blank_values=True, strict_parsing=True, errors="strict", max_num_fields=200)
    except (ValueError, UnicodeDecodeError) as e:
        raise ApiError(400, f"Invalid query string: {e}", [Problem("query string", str(e))]) from None
    out: dict = {}
    for k, v in pairs:
        if k in out:
            out[k] = (out[k] if isinstance(out[k], list) else [out[k]]) + [v]
        else:
            out[k] = v
    return out


def check_query(params: tuple[Param, ...], raw: dict, choices: Choices,
                extra: re.Pattern | None = None) -> dict:
    problems: list[Problem] = []
    known = {p.name for p in params}
    for key in raw:
        if key in known or (extra is not None and extra.fullmatch(key)):
            continue
        if "$" in key or "[" in key:
            problems.append(Problem(key, "MongoDB operators are not accepted in parameters"))
        else:
            problems.append(Problem(key, "unknown parameter"))
    out = _apply(params, raw, choices, problems, from_query=True)
    if extra is not None:
        for key, v in raw.items():
            if key not in known and extra.fullmatch(key):
                if isinstance(v, list):
                    problems.append(Problem(key, "is given more than once"))
                elif _no_operator(Param(key), v, problems):
                    out[key] = v
    if problems:
        raise bad_request(problems)
    return out


def operator_keys(value, path: str = "") -> list[Problem]:
    """Keys anywhere in a JSON body that MongoDB would read as operators (`$...`)."""
    found: list[Problem] = []
    if isinstance(value, dict):
        for k, v in value.items():
            where = f"{path}.{k}" if path else str(k)
            if str(k).startswith("$"):
                found.append(Problem(where, "MongoDB operators are not accepted"))
            else:
                found += operator_keys(v, where)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found += operator_keys(v, f"{path}[{i}]")
    return found


def plain_object(body) -> dict:
    """The body if it is a JSON object with no MongoDB operator key anywhere; else a 400 saying which."""
    if not isinstance(body, dict):
        raise bad_request([Problem("body", "The data in the request body must be an object")])
    problems = operator_keys(body)
    if problems:
        raise bad_request(problems)
    return body


def check_body(params: tuple[Param, ...], body, choices: Choices) -> dict:
    if not isinstance(body, dict):
        raise bad_request([Problem("body", "The data in the request body must be an object")])
    problems = operator_keys(body)
    known = {p.name for p in params}
    for key in body:
        if key not in known and not str(key).startswith("$"):
            problems.append(Problem(key, "unknown field"))
    out = _apply(params, body, choices, problems, from_query=False)
    if problems:
        raise bad_request(problems)
    return out


# -- JSON Schema / OpenAPI ------------------------------------------------------------------------
def schema(p: Param, choices: Choices | None = None) -> dict:
    k = p.kind
    if k == "bool":
        s: dict = {"type": "boolean"}
    elif k == "int":
        s = {"type": "integer"}
        if p.minimum is not None:
            s["minimum"] = p.minimum
        if p.maximum is not None:
            s["maximum"] = p.maximum
    elif k == "objectid":
        s = {"type": "string", "pattern": OBJECTID_RE.pattern}
    elif k == "id_list":
        s = {"type": "string", "pattern": r"^[0-9a-fA-F]{24}(,[0-9a-fA-F]{24})*$"}
    elif k == "datetime":
        s = {"type": "string", "format": "date-time"}
    elif k in ("strings", "list"):
        s = {"type": "array", "items": {"type": "string"}}
    elif k == "object":
        s = dict(p.items or {"type": "object"})
    elif k == "sections":
        s = {"type": "array", "items": p.items or {"type": "object"}}
    elif k == "any":
        s = {}
    else:
        s = {"type": "string"}
    if isinstance(p.choices, tuple):
        if k in ("strings", "list"):
            s["items"] = {"type": "string", "enum": list(p.choices)}
        else:
            s["enum"] = list(p.choices)
    elif p.choices:
        s["x-constants"] = p.choices
    if p.default is not None:
        s["default"] = p.default
    if p.secret:
        s["writeOnly"] = True
    desc = p.doc
    if isinstance(p.choices, str):
        desc = (desc + " " if desc else "") + f"(one of the values of constants '{p.choices}')"
    if desc:
        s["description"] = desc
    return s


def query_parameters(params: tuple[Param, ...]) -> list[dict]:
    out = []
    for p in params:
        sch = schema(p)
        desc = sch.pop("description", "")
        entry = {"name": p.name, "in": "query", "required": p.required, "schema": sch}
        if desc:
            entry["description"] = desc
        if p.kind == "strings":
            entry["style"], entry["explode"] = "form", True
        out.append(entry)
    return out


def body_schema(params: tuple[Param, ...]) -> dict:
    return {"type": "object", "additionalProperties": False,
            "properties": {p.name: schema(p) for p in params},
            "required": [p.name for p in params if p.required]}
