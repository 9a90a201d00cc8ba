"""/openapi.json: built from the same Operation definitions the validation uses."""

from __future__ import annotations

import re

import falcon

from api.params import body_schema, query_parameters

ERROR = {"type": "object", "required": ["error"],
         "properties": {"error": {"type": "object", "required": ["code", "message"],
                                  "properties": {"code": {"type": "string"}, "title": {"type": "string"},
                                                 "message": {"type": "string"},
                                                 "problems": {"type": "array", "items": {
                                                     "type": "object",
                                                     "properties": {"parameter": {"type": "string"},
                                                                    "reason": {"type": "string"}}}}}}}}

_REASONS = {400: "invalid request (every problem listed)", 401: "not authenticated",
            403: "not allowed (edit-env or admin needed)", 404: "unknown environment or object",
            409: "conflicts with what exists (already exists, or still in use)",
            429: "too many failed logins for this user or address (see Retry-After)",
            503: "the store is unreachable; Calipso is reconnecting (see Retry-After)"}


def _json(schema: dict) -> dict:
    return {"application/json": {"schema": schema}}


def build_document(routes, version: str) -> dict:
    paths: dict = {}
    for path, resource in routes:
        ops = getattr(resource, "operations", {})
        if not ops:
            continue
        item: dict = {}
        path_params = re.findall(r"{(\w+)}", path)
        for method, op in ops.items():
            entry: dict = {"summary": op.summary, "operationId": f"{method.lower()}{re.sub(r'[^A-Za-z0-9]+', '_', path)}",
                           "parameters": [{"name": p, "in": "path", "required": True,
                                           "schema": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$"}}
                                          for p in path_params] + query_parameters(op.query)}
            if op.tags:
                entry["tags"] = list(op.tags)
            if op.body is not None or op.body_schema is not None:
                schema = op.body_schema if op.body_schema is not None else body_schema(op.body)
                entry["requestBody"] = {"required": True, "content": _json(schema)}
            responses = {str(op.status): {"description": "success", "content": _json(op.response)}}
            codes = [400]
            if op.auth != "public":
                codes.append(401)
            if op.write or op.auth == "admin":
                codes.append(403)
            if op.env_scoped or path_params:
                codes.append(404)
            if op.auth != "public":
                codes.append(429)           # Basic credentials go through the login limiter
            codes += [c for c in op.errors if c not in codes] + [503]
            for c in sorted(set(codes)):
                responses[str(c)] = {"description": _REASONS[c], "content": _json(ERROR)}
            entry["responses"] = responses
            if op.auth != "public":
                entry["security"] = [{"basic": []}, {"token": []}]
            item[method.lower()] = entry
        paths[path] = item
    return {
        "openapi": "3.0.3",
        "info": {"title": "Calipso REST API", "version": version,
                 "description": "Inventory, links and cliques of OpenStack virtual networking. "
                                "Errors: {\"error\": {\"code\", \"title\", \"message\", \"problems\"}}."},
        "paths": paths,
        "components": {"securitySchemes": {
            "basic": {"type": "http", "scheme": "basic"},
            "token": {"type": "apiKey", "in": "header", "name": "X-Auth-Token"}}},
    }


class OpenApiResource:
    operations: dict = {}

    def __init__(self, document: dict):
        self.document = document

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        resp.media = self.document
