"""/health: API version and time zone, and per environment whether and when it was last scanned."""

from __future__ import annotations

import falcon

from api import jsonio
from api.params import Param
from api.resources.base import Resource
from api.resources.timezone import describe
from api.spec import Operation, obj


class Health(Resource):
    operations = {"GET": Operation("Health: version, time zone, last scan per environment",
                                   query=(Param("env_name"),), env_scoped=True, tags=("health",),
                                   response=obj({"version": {"type": "string"}, "timezone": {"type": "object"},
                                                 "status": {"type": "string"}, "store": {"type": "object"}}))}

    def _env(self, env: dict) -> dict:
        last = next(iter(self.store["scans"].find({"environment": env["name"]})
                         .sort([("submit_timestamp", -1), ("_id", -1)]).limit(1)), None)
        tz = env.get("timezone") if isinstance(env.get("timezone"), str) else None
        return jsonio.plain({"scanned": bool(env.get("scanned")), "timezone": describe(tz, self.deps.clock()),
                             "version": env.get("version"), "last_scan_status": (last or {}).get("status"),
                             "last_scanned": env.get("last_scanned") or (last or {}).get("end_timestamp")})

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        envs = self.envs(req)
        if "env_name" in v:
            resp.media = {**self._env(envs.view(v["env_name"])), "version": self.deps.settings.version}
            return
        keeper = self.deps.keeper
        if not keeper.ping():
            resp.status = falcon.HTTP_503
            resp.set_header("Retry-After", "2")
            resp.media = {"status": "store unreachable", "version": self.deps.settings.version,
                          "store": keeper.status()}
            return
        resp.media = {"status": "ok", "store": keeper.status(), "version": self.deps.settings.version, "timezone": describe(None, self.deps.clock()),
                      "environments": {name: self._env(envs.view(name)) for name in envs.names()}}


def routes(deps):
    return [("/health", Health(deps))]
