"""The scanner's post-scan hook (scan.hooks): Sensu setup for an environment with monitoring enabled,
over the scan's own SSH access to the master host."""

from __future__ import annotations

import logging

from monitoring.generate import monitoring_section
from monitoring.provision import setup

log = logging.getLogger(__name__)


def after_scan(store, env: dict, clients) -> dict:
    if not env.get("enable_monitoring") or not monitoring_section(env):
        return {}
    cli = getattr(clients, "cli", None)
    remote = upload = None
    if cli is not None:
        from scan.access.ssh import sftp_upload
        remote, upload = cli, sftp_upload(cli.pool, cli.master)
    rep = setup(store, env, remote, upload, server=_server_access(env, cli))
    log.info("monitoring setup of %s: %s", env["name"], rep.as_dict())
    return {**rep.as_dict(), "errors_by_host": rep.errors}


def _server_access(env: dict, cli):
    """SSH to the Sensu server when the Monitoring section names a user for it (else the server
    files stay in monitoring_config and config_folder: `calipso monitoring` needs no Sensu server)."""
    section = monitoring_section(env)
    if cli is None or not section.get("ssh_user"):
        return None
    from scan.access.ssh import Cli, sftp_upload
    server = Cli({"host": section["server_ip"], "port": section.get("ssh_port") or 22, "user": section["ssh_user"],
                  "pwd": section.get("ssh_password")}, cli.caller, cli.pool, sudo=None)
    return server, sftp_upload(server.pool, server.master)
