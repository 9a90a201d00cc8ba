"""Building the access clients of one environment from its configuration sections."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from app.store.embedded import default_home
from scan.access.aci import Aci
from scan.access.calls import Caller
from scan.access.mysql import Database
from scan.access.rest import OpenStackApi
from scan.access.ssh import Cli, SshPool
from scan.access.translate import Translator


def section(env: dict, name: str) -> dict | None:
    return next((s for s in env.get("configuration") or [] if s.get("name") == name), None)


@dataclass
class Clients:
    api: object = None
    db: object = None
    cli: object = None
    aci: object = None
    pool: SshPool | None = None

    def close(self) -> None:
        if self.db is not None and hasattr(self.db, "close"):
            self.db.close()
        if self.pool is not None:
            self.pool.close()


def build_clients(env: dict, caller: Caller) -> Clients:
    c = Clients()
    if (s := section(env, "OpenStack")) is not None:
        c.api = OpenStackApi(s, caller)
    if (s := section(env, "mysql")) is not None:
        c.db = Database(s, caller, pool_size=max(2, min(8, caller.limiter.total)))
    if (s := section(env, "CLI")) is not None:
        home = default_home(os.environ)
        c.pool = SshPool(s.get("host_key_policy") or "known_hosts", Path(home) / "known_hosts",
                         timeout=caller.policy("SSH").timeout,
                         extra_known_hosts=[s["known_hosts"]] if s.get("known_hosts") else None)
        sudo = False if str(env.get("distribution", "")).lower() == "mercury" else None
        c.cli = Cli(s, caller, c.pool, Translator(env.get("distribution"), env.get("distribution_version"),
                                                  env.get("mechanism_drivers")), sudo=sudo)
    if env.get("aci_enabled") and (s := section(env, "ACI")) is not None:
        c.aci = Aci(s, caller)
    return c
