"""What every resource shares: parsing and validating a request, paging, the two GET modes."""

from __future__ import annotations

import json

import falcon
from pymongo.collection import Collection

from api import jsonio
from api.context import Caller, Deps, EnvAccess
from api.errors import ApiError, bad_request
from api.params import check_body, check_query, parse_query_string, plain_object
from api.spec import Operation
from app.errors import Problem


class Resource:
    """A falcon resource whose `operations` (method -> Operation) define what it accepts."""

    operations: dict[str, Operation] = {}

    def __init__(self, deps: Deps):
        self.deps = deps
        self.store = deps.store

    # -- request ----------------------------------------------------------------------------------
    def caller(self, req: falcon.Request) -> Caller:
        return req.context.caller

    def envs(self, req: falcon.Request) -> EnvAccess:
        if not hasattr(req.context, "envs"):
            req.context.envs = EnvAccess(self.store, self.caller(req), self.deps.envs)
        return req.context.envs

    def query(self, req: falcon.Request, method: str | None = None) -> dict:
        op = self.operations[method or req.method]
        raw = parse_query_string(req.query_string)
        return check_query(op.query, raw, self.deps.catalog.values, op.extra_re)

    def json_body(self, req: falcon.Request):
        limit = self.deps.settings.max_body_bytes
        length = req.content_length
        if length is not None and length > limit:
            raise bad_request([Problem("body", f"is larger than the limit of {limit} bytes")])
        if length is None and "chunked" in (req.get_header("Transfer-Encoding") or "").lower():
            raw = req.stream.read(limit + 1)    # no length to bound by: the server decodes the chunks
        else:
            raw = req.bounded_stream.read(limit + 1)
        if len(raw) > limit:
            raise bad_request([Problem("body", f"is larger than the limit of {limit} bytes")])
        if not raw.strip():
            raise bad_request([Problem("body", "No data found in the request body")])
        try:
            return json.loads(raw.decode("utf-8"))
        except UnicodeDecodeError:
            raise bad_request([Problem("body", "is not UTF-8 text")]) from None
        except (json.JSONDecodeError, RecursionError) as e:
            reason = f"The request can not be fulfilled due to bad syntax: {getattr(e, 'msg', 'too deeply nested')}"
            raise bad_request([Problem("body", reason)]) from None

    def json_object(self, req: falcon.Request) -> dict:
        """A free-form JSON object body (no declared fields), still refusing MongoDB operator keys."""
        return plain_object(self.json_body(req))

    def body(self, req: falcon.Request, method: str | None = None) -> dict:
        op = self.operations[method or req.method]
        self.query(req, method)  # a body operation takes no unknown query parameters either
        return check_body(op.body or (), self.json_body(req), self.deps.catalog.values)

    # -- responses --------------------------------------------------------------------------------
    def page(self, values: dict, resp: falcon.Response) -> tuple[int, int, int | None]:
        """(skip, limit, applied) with page_size capped; `applied` is set when the cap cut it."""
        cap = self.deps.settings.page_size_cap
        size = values.get("page_size", 1000)
        applied = None
        if values.get("all"):
            size, applied = cap, cap
            values["page"] = 0
        elif size > cap:
            size, applied = cap, cap
        if applied is not None:
            resp.set_header("X-Page-Size-Applied", str(applied))
        return values.get("page", 0) * size, size, applied

    def send_list(self, resp: falcon.Response, key: str, docs, fields: tuple[str, ...], applied: int | None) -> None:
        body = jsonio.Listing({key: [jsonio.listed(d, fields) for d in docs]})
        if applied is not None:
            body["page_size_applied"] = applied
        resp.media = body

    def list_or_single(self, req: falcon.Request, resp: falcon.Response, coll: Collection, query: dict,
                       values: dict, key: str, fields: tuple[str, ...], single: dict | None = None,
                       sort=(("_id", 1),)) -> None:
        """The two GET modes: `single` (a filter) gives one full document or {}; else a page of the list."""
        if single is not None:
            doc = coll.find_one({**query, **single})
            resp.media = jsonio.single(doc) if doc else {}
            return
        skip, limit, applied = self.page(values, resp)
        cursor = coll.find(query, skip=skip, limit=limit, batch_size=min(limit, 1000))
        if sort:
            cursor = cursor.sort(list(sort))
        self.send_list(resp, key, cursor, fields, applied)

    def env_filter(self, req: falcon.Request, env_name: str | None, field: str = "environment") -> dict:
        """Query restricting to one viewable environment, or to all the caller may view."""
        if env_name is not None:
            self.envs(req).view(env_name, ())
            return {field: env_name}
        return {field: {"$in": self.envs(req).names()}}

    def created(self, resp: falcon.Response, message: str, oid=None) -> None:
        resp.status = falcon.HTTP_201
        body = {"message": message}
        if oid is not None:
            body["id"] = str(oid)
        resp.media = body


def conflict(message: str) -> ApiError:
    return ApiError(409, message)
