"""The console's falcon application: built from settings and an API client; no globals."""

from __future__ import annotations

import importlib
import json
import logging
from pathlib import Path

import falcon

from ui.apiclient import Api, ApiDown, NotFound, Refused, SessionExpired
from ui.console import Console, Screen
from ui.live import LiveHub
from ui.menu import SETTINGS_MENU
from ui.render import make_env
from ui.screens import SCREENS
from ui.security import (COOKIE, CsrfRefused, SessionMiddleware, SignInNeeded, is_background, login_url,
                         page_of)
from ui.sessions import Session, Sessions
from ui.settings import UiSettings

log = logging.getLogger(__name__)
STATIC = Path(__file__).resolve().parent / "static"


class ConsoleApp(falcon.App):
    console: Console


def _bounded_json(text: str):
    """json.loads, with JSON nested past the interpreter's depth a malformed body (400), not a crash."""
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None


def _wants_json(req: falcon.Request, resource) -> bool:
    return bool(getattr(resource, "json", False)) or is_background(req.path)


class Pending(Screen):
    """A menu entry whose screen this build does not have yet."""

    def __init__(self, console: Console, label: str):
        super().__init__(console)
        self.label = label

    def on_get(self, req, resp, **_):
        self.render(req, resp, "pending.html", title=self.label, status=501)


class ErrorPages(Screen):
    public = True

    def page(self, req, resp, template: str, status: int, **ctx) -> None:
        envs = []
        if self.session(req).signed_in and template != "api_down.html":
            try:
                envs = self.environments(req)
            except Exception:
                envs = []
        self.render(req, resp, template, status=status, environments=envs, **ctx)


def store_sessions(settings: UiSettings) -> Sessions:
    """Sessions in the store every console replica shares (opened in the serving process, after the fork)."""
    from app.console_sessions import ConsoleSessions
    from app.store.opening import open_store
    from app.store.store import SERVING
    store = open_store(settings.mongo_config, init=False, patience=SERVING)   # a frozen store: a 503 in 2-3 s
    return Sessions(ConsoleSessions(store), settings.session_idle)


def create_app(settings: UiSettings | None = None, api: Api | None = None,
               sessions: Sessions | None = None) -> ConsoleApp:
    settings = settings or UiSettings()
    api = api or Api(settings.api_url, settings.api_timeout, settings.console_secret)
    sessions = sessions or store_sessions(settings)
    hub = LiveHub(api, settings.poll_interval, settings.sse_max_clients, settings.sse_per_user)
    console = Console(settings, api, sessions, make_env(), hub, SETTINGS_MENU)
    app = ConsoleApp(middleware=[SessionMiddleware(sessions, settings.cookie_secure)])
    app.req_options.strip_url_path_trailing_slash = True
    app.req_options.auto_parse_qs_csv = False
    app.req_options.media_handlers[falcon.MEDIA_JSON] = falcon.media.JSONHandler(loads=_bounded_json)
    errors = ErrorPages(console)

    def not_found(req, resp, ex, params):
        if _wants_json(req, None):
            resp.status, resp.media = falcon.HTTP_404, {"error": {"code": "404", "message": "not found"}}
            return
        errors.page(req, resp, "not_found.html", 404, what=str(ex) if isinstance(ex, NotFound) else "")

    def expired(req, resp, ex, params):
        s = req.context.session
        if s.signed_in:
            sessions.sign_out_in_place(s)
        if _wants_json(req, None):
            resp.status = falcon.HTTP_401
            resp.media = {"error": {"code": "401", "message": "sign in again", "login": login_url(page_of(req))}}
            return
        raise falcon.HTTPSeeOther(login_url(req.relative_uri if req.method == "GET" else page_of(req)))

    def csrf(req, resp, ex, params):
        log.warning("refused %s %s: missing or wrong CSRF token", req.method, req.path)
        if _wants_json(req, None):
            resp.status = falcon.HTTP_403
            resp.media = {"error": {"code": "403", "message": "missing or wrong CSRF token"}}
            return
        errors.page(req, resp, "error.html", 403, title="Request refused",
                    message="This form was not sent by a page of this console (its security token is missing or old). "
                            "Go back, reload the page and try again.")

    def api_down(req, resp, ex, params):
        if getattr(req.context, "session", None) is None:   # the session store is down: a stand-in, never saved
            sids = req.get_cookie_values(COOKIE) or []
            req.context.session = Session(sids[0] if sids else "", "")
        if _wants_json(req, None):
            resp.status = falcon.HTTP_503
            resp.media = {"error": {"code": "503", "message": str(ex)}}
            return
        retry = req.relative_uri if req.method == "GET" else "/"
        errors.page(req, resp, "api_down.html", 503, message=str(ex), retry=retry)

    def refused(req, resp, ex, params):
        if _wants_json(req, None):
            resp.status = falcon.code_to_http_status(ex.status)
            resp.media = {"error": {"code": str(ex.status), "message": ex.message}}
            return
        errors.page(req, resp, "error.html", ex.status, title="Not allowed" if ex.status == 403 else "Request refused",
                    message=ex.message)

    def unexpected(req, resp, ex, params):
        if isinstance(ex, falcon.HTTPError) and not isinstance(ex, falcon.HTTPNotFound):
            raise ex
        if isinstance(ex, falcon.HTTPNotFound):
            return not_found(req, resp, ex, params)
        log.exception("unexpected error on %s %s", req.method, req.path)
        errors.page(req, resp, "error.html", 500, title="Something went wrong",
                    message="The console hit an unexpected error; its log has the details.")

    app.add_error_handler(Exception, unexpected)
    app.add_error_handler(falcon.HTTPNotFound, not_found)
    app.add_error_handler(NotFound, not_found)
    app.add_error_handler(SessionExpired, expired)
    app.add_error_handler(SignInNeeded, expired)
    app.add_error_handler(CsrfRefused, csrf)
    app.add_error_handler(ApiDown, api_down)
    app.add_error_handler(Refused, refused)

    routes: list[tuple[str, object]] = []
    for module in SCREENS:
        routes += importlib.import_module(module).routes(console)
    served = {path for path, _ in routes}
    routes += [(m.path, Pending(console, m.label)) for m in console.menu if m.path not in served]
    for path, resource in routes:
        if path.endswith("*"):
            app.add_sink(resource, path[:-1])
        else:
            app.add_route(path, resource)
    app.add_static_route("/static", str(STATIC))
    console.routes = routes
    app.console = console
    return app
