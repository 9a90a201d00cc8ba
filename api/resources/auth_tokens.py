"""/auth/tokens: POST issues a token (credentials or token method), DELETE revokes the caller's token."""

from __future__ import annotations

import falcon

from api.auth.address import client_address
from api.auth.tokens import TokenError
from api.errors import bad_request, unauthorized
from api.params import Param, check_body
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.errors import Problem

AUTH = Param("auth", "object", required=True, items=obj({
    "methods": {"type": "array", "items": {"type": "string", "enum": ["credentials", "token"]}},
    "credentials": obj({"username": STR, "password": {"type": "string", "writeOnly": True}},
                       required=("username", "password"), additional=False),
    "token": {"type": "string", "writeOnly": True}}, required=("methods",), additional=False))
INNER = (Param("methods", "list", required=True, choices=("credentials", "token")),
         Param("credentials", "object"), Param("token", "string", secret=True))
CREDENTIALS = (Param("username", "string", required=True), Param("password", "any", required=True, secret=True))

TOKEN = obj({"token": STR, "method": STR, "issued_at": STR, "expires_at": STR},
            required=("token", "method", "issued_at", "expires_at"))


class AuthTokens(Resource):
    operations = {
        "POST": Operation("Obtain a token with credentials, or renew a valid token", body=(AUTH,),
                          response=TOKEN, status=201, auth="public", tags=("auth",), errors=(401, 429)),
        "DELETE": Operation("Revoke the token given in X-Auth-Token", response={"type": "object"},
                            auth="public", tags=("auth",), errors=(401,)),
    }

    def on_post(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.query(req)
        raw = self.json_body(req)
        if isinstance(raw, dict) and "auth" not in raw:
            raise bad_request([Problem("auth", "Request must contain auth object")])
        outer = check_body(self.operations["POST"].body, raw, self.deps.catalog.values)
        auth = check_body(INNER, outer["auth"], self.deps.catalog.values)
        methods = auth["methods"]
        tokens = self.deps.extra["tokens"]
        authenticator = self.deps.extra["authenticator"]
        if "credentials" not in auth and "token" not in auth:
            raise unauthorized("must provide credentials or token")
        if "credentials" in methods:
            if "credentials" not in auth:
                raise unauthorized("credentials must be provided for credentials method")
            creds = check_body(CREDENTIALS, auth["credentials"], self.deps.catalog.values)
            if not isinstance(creds["password"], str):
                raise bad_request([Problem("password", "must be a string")])
            address = client_address(req.remote_addr, req.get_header, self.deps.settings.console_secret)
            caller = authenticator.credentials(creds["username"], creds["password"], address)
            if caller is None:
                raise unauthorized("authentication failed")
            issued = tokens.issue(caller.username, "credentials")
        else:
            if "token" not in auth:
                raise unauthorized("token must be provided for token method")
            try:
                old = tokens.validate(auth["token"])
                authenticator.token(auth["token"])
            except TokenError as e:
                raise unauthorized(str(e)) from None
            issued = tokens.issue(old.get("username", ""), "token", session_start=old.get("session_start"))
        resp.status = falcon.HTTP_201
        resp.media = issued

    def on_delete(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.query(req)
        token = req.get_header("X-Auth-Token")
        if not token:
            raise unauthorized("Authentication failed")
        tokens = self.deps.extra["tokens"]
        try:
            tokens.validate(token)
        except TokenError as e:
            raise unauthorized(str(e)) from None
        tokens.revoke(token)
        resp.media = {}


def routes(deps):
    return [("/auth/tokens", AuthTokens(deps))]
