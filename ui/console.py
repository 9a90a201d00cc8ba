"""What every screen works with: settings, the API client, sessions, templates, the live hub, the menu."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import falcon
import jinja2

from ui.apiclient import Api
from ui.menu import MenuEntry
from ui.sessions import Session, Sessions
from ui.settings import UiSettings

NAV_TTL = 15.0


@dataclass
class Console:
    settings: UiSettings
    api: Api
    sessions: Sessions
    templates: jinja2.Environment
    hub: object = None
    menu: tuple[MenuEntry, ...] = ()
    routes: list = field(default_factory=list)


class Screen:
    """A falcon resource of the console. Private unless `public = True`; `json = True` for script endpoints."""

    public = False
    json = False

    def __init__(self, console: Console):
        self.console = console

    # -- data ----------------------------------------------------------------------------------------
    def session(self, req: falcon.Request) -> Session:
        return req.context.session

    def api(self, req: falcon.Request, path: str, params=None) -> dict:
        return self.console.api.get(self.session(req).token, path, params)

    def environments(self, req: falcon.Request) -> list[dict]:
        """The environments this user may view (name, type, distribution), cached briefly per session."""
        s = self.session(req)
        cached = s.data.get("nav")
        if cached and time.monotonic() - cached[0] < NAV_TTL:
            return cached[1]
        rows = self.api(req, "/environment_configs", {"page_size": 1000}).get("environment_configs", [])
        rows = sorted(rows, key=lambda r: str(r.get("name")).lower())
        s.data["nav"] = (time.monotonic(), rows)
        return rows

    # -- pages ---------------------------------------------------------------------------------------
    def render(self, req: falcon.Request, resp: falcon.Response, template: str, status: int = 200, **ctx) -> None:
        s = self.session(req)
        base = {"session": s, "user": s.username, "admin": s.admin, "csrf": s.csrf, "menu": self.console.menu,
                "version": self.console.settings.version, "path": req.path, "current_env": None,
                "environments": self.environments(req) if s.signed_in and "environments" not in ctx else []}
        base.update(ctx)
        resp.status = falcon.code_to_http_status(status)
        resp.content_type = falcon.MEDIA_HTML
        resp.text = self.console.templates.get_template(template).render(**base)

    def redirect(self, location: str) -> None:
        raise falcon.HTTPSeeOther(location)
