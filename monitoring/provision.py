"""Monitoring setup of one environment at the level its Monitoring section asks for (spec §4.2):

  None    nothing
  DB      generate; store in monitoring_config
  Files   as DB, plus the files under config_folder on this machine
  Deploy  as Files, plus every host (and the Sensu server, when SSH to it is configured) gets them

Called after a full scan (through scan's post-scan hook table) and by `--monitoring_setup_only`.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from pathlib import Path

from app.clock import Clock, utcnow
from app.errors import CalipsoError
from monitoring import config_store, files, templates
from monitoring.deploy import CONF_DIR, DeployReport, Remote, Uploader, deploy
from monitoring.generate import Generated, generate, monitoring_section, with_secrets

log = logging.getLogger(__name__)

LEVELS = {"None": 0, "DB": 1, "Files": 2, "Deploy": 3}


@dataclass
class SetupReport:
    provision: str = "None"
    hosts: int = 0
    checks: dict[str, int] = field(default_factory=dict)    # check type -> count over all hosts
    stored: int = 0
    files: int = 0
    deployed: list[str] = field(default_factory=list)
    errors: dict[str, list[str]] = field(default_factory=dict)
    seconds: float = 0.0

    def as_dict(self) -> dict:
        return {"provision": self.provision, "hosts": self.hosts, "checks": dict(sorted(self.checks.items())),
                "stored": self.stored, "files": self.files, "deployed": len(self.deployed),
                "errors": sum(len(v) for v in self.errors.values()), "seconds": round(self.seconds, 3)}


def level(env: dict) -> int:
    section = monitoring_section(env)
    value = str(section.get("provision") or "None")
    if value not in LEVELS:
        raise CalipsoError(f"Monitoring.provision {value!r} is not one of {', '.join(LEVELS)}")
    return LEVELS[value]


def live_objects(store, env_name: str) -> tuple[list[dict], list[dict]]:
    from app.inventory import Inventory
    from app.links import Links
    from app.tunnel_mesh import with_all_ports
    return with_all_ports(store, Inventory(store).live(env_name)), Links(store).live(env_name)


def setup(store, env: dict, remote: Remote | None = None, upload: Uploader | None = None,
          server: tuple[Remote, Uploader] | None = None, regenerate: bool = True,
          clock: Clock = utcnow) -> SetupReport:
    """Generate (or, with regenerate=False, reuse what is stored) and provision. Never raises for a
    host: failures are in the report's errors, by host."""
    started = time.perf_counter()
    section = monitoring_section(env)
    rep = SetupReport(provision=str(section.get("provision") or "None"))
    lvl = level(env)
    if lvl == 0 or not env.get("enable_monitoring"):
        return rep
    if regenerate:
        objects, links = live_objects(store, env["name"])
        gen = generate(env, objects, links, templates.load(store))
        rep.stored = config_store.save(store, env["name"], str(section.get("server_ip") or "server"), gen, clock())
    else:
        gen = config_store.as_generated(config_store.load(store, env["name"]))
    rep.hosts = len(gen.hosts)
    for per_host in gen.checks.values():
        for t, n in per_host.items():
            rep.checks[t] = rep.checks.get(t, 0) + n
    for host, errs in gen.errors.items():
        rep.errors.setdefault(host, []).extend(errs)
    if lvl >= LEVELS["Files"]:      # the files (not the store) get the broker password itself
        gen = Generated(server=with_secrets(gen.server, section), hosts=with_secrets(gen.hosts, section),
                        checks=gen.checks, errors=gen.errors)
        folder = section.get("config_folder")
        try:
            rep.files = files.write_all(Path(folder), gen)
        except OSError as e:
            rep.errors.setdefault("(monitoring)", []).append(f"cannot write {folder}: {e.strerror or e}")
    if lvl >= LEVELS["Deploy"]:
        _deploy(gen, section, remote, upload, server, rep)
    from app.envconfig.repository import EnvironmentConfigs
    EnvironmentConfigs(store).set_fields(env["name"], {"monitoring_setup_done": True})
    rep.seconds = time.perf_counter() - started
    return rep


def _deploy(gen: Generated, section: dict, remote, upload, server, rep: SetupReport) -> None:
    if remote is None or upload is None:
        rep.errors.setdefault("(monitoring)", []).append("provision Deploy needs the CLI section (SSH to the "
                                                         "master host): nothing was deployed")
        return
    result: DeployReport = deploy(remote, upload, gen, str(section.get("config_folder")))
    rep.deployed = result.hosts
    for host, errs in result.errors.items():
        rep.errors.setdefault(host, []).extend(errs)
    if server is not None and gen.server:
        srv_remote, srv_upload = server
        host = str(section.get("server_ip"))
        try:
            srv_remote.run("", ("mkdir", "-p", CONF_DIR))
            srv_upload({f"{CONF_DIR}/{name}": (files.render(cfg), 0o600) for name, cfg in gen.server.items()})
            for service in ("sensu-server", "sensu-api"):
                srv_remote.run("", ("service", service, "restart"))
        except Exception as e:
            rep.errors.setdefault(host, []).append(f"Sensu server setup: {e}")
