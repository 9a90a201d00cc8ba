"""/monitoring_config: the Sensu configuration generated for an environment (per host and file).

Editors of the environment may read it (it describes how their hosts are set up); every secret
in it (the RabbitMQ password every client.json's neighbour rabbitmq.json holds) is shown redacted.
"""

from __future__ import annotations

import falcon

from api import jsonio
from api.params import Param
from api.resources.base import Resource
from api.spec import PAGING, Operation, listing
from app.envconfig.secrets import REDACTED
from app.keyenc import decode

FIELDS = ("id", "environment", "host", "type", "side", "config")
SECRET_WORDS = ("pass", "secret", "token")
QUERY = (Param("env_name", required=True), Param("host"), Param("type", doc="file name, e.g. client.json"),
         Param("side", choices="monitoring_sides")) + PAGING


def redacted(value):
    """Every value under a key naming a secret (password, rabbitmq_pass, token, ...) replaced."""
    if isinstance(value, dict):
        return {k: (REDACTED if (any(w in k.lower() for w in SECRET_WORDS) or k.lower() == "key")
                    and isinstance(v, (str, int)) else redacted(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [redacted(v) for v in value]
    return value


class MonitoringConfig(Resource):
    operations = {"GET": Operation("Generated Sensu configuration of an environment (secrets redacted)",
                                   query=QUERY, env_scoped=True, write=True, tags=("monitoring",),
                                   response=listing("monitoring_config", FIELDS))}

    def on_get(self, req: falcon.Request, resp: falcon.Response) -> None:
        v = self.query(req)
        self.envs(req).edit(v["env_name"])   # editors only: it shows how every host is reached
        query = {"environment": v["env_name"], **{f: v[f] for f in ("host", "type", "side") if f in v}}
        skip, limit, applied = self.page(v, resp)
        docs = []
        for d in self.store["monitoring_config"].find(query, skip=skip, limit=limit).sort([("host", 1), ("type", 1)]):
            d = dict(d)
            d["config"] = redacted(decode(d.get("config") or {}))
            docs.append(jsonio.listed(d, FIELDS))
        body: dict = {"monitoring_config": docs}
        if applied is not None:
            body["page_size_applied"] = applied
        resp.media = body


def routes(deps):
    return [("/monitoring_config", MonitoringConfig(deps))]

