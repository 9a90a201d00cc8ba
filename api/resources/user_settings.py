"""/user_settings: the caller's own preferences (rows per page, time zone, how far back messages go)."""

from __future__ import annotations

import zoneinfo

import falcon

from api.errors import bad_request
from api.params import Param
from api.resources.base import Resource
from api.spec import STR, Operation, obj
from app.errors import Problem

DEFAULTS = {"page_size": 25, "time_zone": "UTC", "messages_backward_days": 14}
BODY = (Param("page_size", "int", minimum=5, maximum=500, convert=False, doc="rows per page in lists"),
        Param("time_zone", doc="IANA time zone name times are shown in, e.g. Europe/Paris"),
        Param("messages_backward_days", "int", minimum=1, maximum=3650, convert=False,
              doc="how many days back message lists and counters reach"))
SETTINGS = obj({"username": STR, "page_size": {"type": "integer"}, "time_zone": STR,
                "messages_backward_days": {"type": "integer"}},
               required=("username", "page_size", "time_zone", "messages_backward_days"))


def _zone_ok(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


class UserSettings(Resource):
    operations = {
        "GET": Operation("The caller's own settings (defaults where unset)", tags=("users",), response=SETTINGS),
        "PUT": Operation("Change the caller's own settings (fields left out are kept)", body=BODY,
                         response=SETTINGS, tags=("users",)),
    }

    def _current(self, username: str) -> dict:
        doc = self.store["user_settings"].find_one({"username": username}) or {}
        return {"username": username, **{k: doc.get(k, v) for k, v in DEFAULTS.items()}}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        self.query(req)
        resp.media = self._current(self.caller(req).username)

    def on_put(self, req: falcon.Request, resp: falcon.Response) -> None:
        b = self.body(req)
        if "time_zone" in b and not _zone_ok(b["time_zone"]):
            raise bad_request([Problem("time_zone", f"{b['time_zone']!r} is not a known IANA time zone (e.g. UTC, Europe/Paris)")])
        username = self.caller(req).username
        if b:
            self.store["user_settings"].update_one({"username": username}, {"$set": {**b, "username": username}},
                                                   upsert=True)
        resp.media = self._current(username)


def routes(deps):
    return [("/user_settings", UserSettings(deps))]
