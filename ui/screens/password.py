"""`/change-password`: changed through the API (which checks the current password and revokes the user's
tokens); the session signs in again with the new password so the user stays signed in."""

from __future__ import annotations

from ui.apiclient import Refused
from ui.console import Screen

MIN_LENGTH = 8


class ChangePassword(Screen):
    def on_get(self, req, resp):
        self.render(req, resp, "password.html", error=None, done=False)

    def on_post(self, req, resp):
        form = req.get_media(default_when_empty={})
        form = form if isinstance(form, dict) else {}
        current, new, again = (str(form.get(f) or "") for f in ("current", "new", "again"))
        s = self.session(req)
        error = None
        if not current or not new:
            error = "Fill in every field."
        elif new != again:
            error = "The two new passwords differ."
        elif len(new) < MIN_LENGTH:
            error = f"The new password must have at least {MIN_LENGTH} characters."
        elif new == current:
            error = "The new password is the same as the current one."
        if error is None:
            try:
                self.console.api.send("PUT", s.token, f"/users/{s.username}",
                                      {"password": new, "current_password": current})
            except Refused as e:
                wrong = any(isinstance(p, dict) and p.get("parameter") == "current_password" for p in e.problems)
                error = "The current password is wrong." if wrong else e.message
        if error is not None:
            return self.render(req, resp, "password.html", status=400, error=error, done=False)
        issued = self.console.api.login(s.username, new)
        if issued is None:
            self.redirect("/login")
        self.console.sessions.set_token(s, issued["token"])   # in place: its open pages' event streams keep working
        self.render(req, resp, "password.html", error=None, done=True)


def routes(console):
    return [("/change-password", ChangePassword(console))]
