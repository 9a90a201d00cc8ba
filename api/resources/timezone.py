"""/timezone: the time zone of an environment (its `timezone` field) or of the server."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import falcon

from api.params import Param
from api.resources.base import Resource
from api.spec import Operation, obj


def describe(tz_name: str | None, now: datetime) -> dict:
    try:
        local = now.astimezone(ZoneInfo(tz_name)) if tz_name else now.astimezone()
    except (ZoneInfoNotFoundError, ValueError):
        return {"tz_name": "unknown", "utc_offset": {"hours": 0, "minutes": 0}}
    offset = local.utcoffset()
    minutes = int(offset.total_seconds() // 60) if offset else 0
    sign = -1 if minutes < 0 else 1
    return {"tz_name": local.tzname() or "unknown",
            "utc_offset": {"hours": sign * (abs(minutes) // 60), "minutes": sign * (abs(minutes) % 60)}}


TZ = obj({"tz_name": {"type": "string"}, "utc_offset": {"type": "object"}}, required=("tz_name", "utc_offset"))


class Timezone(Resource):
    operations = {"GET": Operation("Time zone of an environment, or of the server", query=(Param("env_name"),),
                                   env_scoped=True, response=TZ, tags=("health",))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        tz = self.envs(req).view(v["env_name"]).get("timezone") if "env_name" in v else None
        resp.media = describe(tz if isinstance(tz, str) else None, self.deps.clock())


def routes(deps):
    return [("/timezone", Timezone(deps))]
