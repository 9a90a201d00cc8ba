"""`/login` and `/logout`: credentials are exchanged for an API token kept in the server-side session."""

from __future__ import annotations

import logging

from ui.console import Screen
from ui.security import safe_next

log = logging.getLogger(__name__)


def _form(req) -> dict:
    form = req.get_media(default_when_empty={})
    return form if isinstance(form, dict) else {}


class Login(Screen):
    public = True

    def on_get(self, req, resp):
        nxt = safe_next(req.get_param("next"))
        if self.session(req).signed_in:
            self.redirect(nxt)
        self.render(req, resp, "login.html", next=nxt, error=None, username="")

    def on_post(self, req, resp):
        form = _form(req)
        username = str(form.get("username") or "").strip()
        password = str(form.get("password") or "")
        nxt = safe_next(form.get("next") if isinstance(form.get("next"), str) else None)
        if not username or not password:
            return self.render(req, resp, "login.html", status=400, next=nxt, username=username,
                               error="Enter your user name and password.")
        issued = self.console.api.login(username, password, req.remote_addr)
        if issued is None:
            log.info("sign-in refused for %r", username)
            return self.render(req, resp, "login.html", status=401, next=nxt, username=username,
                               error="Wrong user name or password.")
        token = issued["token"]
        me = self.console.api.get(token, f"/users/{username}")
        req.context.session = self.console.sessions.sign_in(self.session(req), username, token, bool(me.get("admin")))
        self.redirect(nxt)


class Logout(Screen):
    public = True

    def on_post(self, req, resp):
        s = self.session(req)
        if s.signed_in:
            self.console.api.logout(s.token)
            self.console.sessions.drop(s)
            req.context.session = self.console.sessions.create()
        self.redirect("/")


def routes(console):
    return [("/login", Login(console)), ("/logout", Logout(console))]
