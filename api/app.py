"""The falcon application: built from a store, settings and a clock; no globals."""

from __future__ import annotations

import importlib
import json
import logging

import falcon

from api import jsonio
from api.auth.authenticator import Authenticator
from api.auth.ldap_backend import LdapBackend
from api.auth.limiter import LoginLimiter
from api.auth.middleware import AuthMiddleware, CorsMiddleware
from api.auth.tokens import Tokens
from api.auth.users import Users
from api.auth.verified import VerifiedCredentials
from api.context import Deps
from api.env_directory import EnvDirectory, EnvDirectoryMiddleware
from api.errors import ApiError, body, handle_api_error, serialize_http_error
from api.resources import RESOURCES
from api.settings import Settings
from app.clock import Clock, utcnow
from app.store.keeper import StoreKeeper, is_unavailable
from app.store.store import Store

log = logging.getLogger(__name__)


class _Json(falcon.media.JSONHandler):
    def __init__(self):
        super().__init__(dumps=jsonio.dumps, loads=json.loads)


def _unexpected(req: falcon.Request, resp: falcon.Response, ex: Exception, params) -> None:
    if isinstance(ex, falcon.HTTPError):
        raise ex
    keeper: StoreKeeper | None = getattr(req.context, "keeper", None)
    if is_unavailable(ex) and keeper is not None:
        keeper.mark_down(ex)
        log.warning("%s %s: the store is unreachable (%s)", req.method, req.path, keeper.reason)
        resp.status = falcon.HTTP_503
        resp.set_header("Retry-After", "2")
        resp.media = body(503, "The store is unreachable; Calipso is reconnecting to it. Retry in a few seconds.")
        return
    log.exception("unexpected error on %s %s", req.method, req.path)
    resp.status = falcon.HTTP_500
    resp.media = body(500, "Internal server error; the server log has the details")


class CalipsoApp(falcon.App):
    """The falcon app, also carrying its routes and dependencies (for tests and the document)."""

    routes: list
    deps: Deps


class _KeeperMiddleware:
    """Hands the store keeper to the error handler (falcon's handlers see only the request)."""

    def __init__(self, keeper: StoreKeeper):
        self.keeper = keeper

    def process_request(self, req: falcon.Request, resp: falcon.Response) -> None:
        req.context.keeper = self.keeper


def create_app(store: Store, settings: Settings | None = None, clock: Clock = utcnow,
               ldap_connect=None, keeper: StoreKeeper | None = None) -> CalipsoApp:
    """`keeper` watches the store (serve() starts one per worker); without one, outages are still
    answered 503 and reported by /health, probed when asked."""
    settings = settings or Settings()
    keeper = keeper or StoreKeeper(store)
    deps = Deps(store, settings, clock, keeper=keeper)
    users = Users(store, rounds=settings.bcrypt_rounds, clock=clock, standing_ttl=settings.user_standing_ttl)
    tokens = Tokens(store, settings.token_lifetime, settings.max_session, clock)
    ldap = None
    if settings.ldap is not None:
        ldap = LdapBackend(settings.ldap, ldap_connect) if ldap_connect else LdapBackend(settings.ldap)
    limiter = LoginLimiter(store, settings.login) if settings.login is not None else None
    verified = VerifiedCredentials(settings.verified_ttl) if settings.verified_ttl > 0 else None
    authenticator = Authenticator(users, tokens, ldap, limiter, verified, settings.password_checks)
    deps.extra.update(users=users, tokens=tokens, authenticator=authenticator)
    deps.envs = EnvDirectory(store, settings.env_access_ttl)

    app = CalipsoApp(middleware=[_KeeperMiddleware(keeper), CorsMiddleware(settings.cors_origin),
                                 AuthMiddleware(authenticator, settings.console_secret),
                                 EnvDirectoryMiddleware(deps.envs)])
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.keep_blank_qs_values = True
    app.resp_options.media_handlers[falcon.MEDIA_JSON] = _Json()
    app.add_error_handler(Exception, _unexpected)
    app.add_error_handler(ApiError, handle_api_error)
    app.set_error_serializer(serialize_http_error)

    routes: list[tuple[str, object]] = []
    for module in RESOURCES:
        routes += importlib.import_module(module).routes(deps)
    from api.resources.grafana import query_aliases
    routes += query_aliases(routes)
    from api.openapi import OpenApiResource, build_document
    document = build_document(routes, settings.version)
    routes.append(("/openapi.json", OpenApiResource(document)))
    for path, resource in routes:
        app.add_route(path, resource)
    app.routes = routes
    app.deps = deps
    return app
