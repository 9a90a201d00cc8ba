"""`/user-settings`: the signed-in user's own settings (rows per page, time zone, how far back messages go)."""

from __future__ import annotations

import zoneinfo

from ui.screens.admin_base import AdminScreen, field_problems, form_of, one

ZONES = sorted(zoneinfo.available_timezones())


class UserSettings(AdminScreen):
    def show(self, req, resp, values, problems=None, status=200, done=False):
        self.render(req, resp, "admin/user_settings.html", status=status, values=values, problems=problems or {},
                    zones=ZONES, done=done)

    def on_get(self, req, resp):
        self.show(req, resp, self.api(req, "/user_settings"))

    def on_post(self, req, resp):
        form = form_of(req)
        body: dict = {"time_zone": one(form, "time_zone")}
        for key in ("page_size", "messages_backward_days"):
            raw = one(form, key)
            body[key] = int(raw) if raw.isdigit() else raw
        answer, err = self.attempt(req, "PUT", "/user_settings", body)
        if err is not None:
            return self.show(req, resp, body, field_problems(err)[0], err.status)
        self.session(req).data["settings"] = answer
        self.show(req, resp, answer, done=True)


def routes(console):
    return [("/user-settings", UserSettings(console))]
