"""Request middleware: authentication per operation, CORS as the original V2 did."""

from __future__ import annotations

import falcon

from api.auth.address import client_address
from api.auth.authenticator import Authenticator
from api.errors import forbidden


class AuthMiddleware:
    def __init__(self, authenticator: Authenticator, console_secret: str | None = None):
        self.auth = authenticator
        self.console_secret = console_secret

    def process_resource(self, req: falcon.Request, resp: falcon.Response, resource, params) -> None:
        if req.method == "OPTIONS" or resource is None:
            return
        op = getattr(resource, "operations", {}).get(req.method)
        if op is None or op.auth == "public":
            return
        caller = self.auth.from_headers(req.get_header("Authorization"), req.get_header("X-Auth-Token"),
                                        client_address(req.remote_addr, req.get_header, self.console_secret))
        if op.auth == "admin" and not caller.admin:
            raise forbidden("This operation needs an admin")
        req.context.caller = caller


class CorsMiddleware:
    def __init__(self, origin: str = "*"):
        self.origin = origin

    def process_response(self, req: falcon.Request, resp: falcon.Response, resource, req_succeeded: bool) -> None:
        if not self.origin:
            return
        resp.set_header("Access-Control-Allow-Origin", self.origin)
        if req.method == "OPTIONS" and req.get_header("Access-Control-Request-Method"):
            allow = resp.get_header("Allow") or ", ".join(sorted(getattr(resource, "operations", {}) or ["OPTIONS"]))
            resp.set_header("Access-Control-Allow-Methods", allow)
            resp.set_header("Access-Control-Allow-Headers",
                            req.get_header("Access-Control-Request-Headers") or "*")
            resp.set_header("Access-Control-Max-Age", "86400")
