"""Provision `Deploy` (spec §4.6): push the generated files and the check scripts to every host.

Over the scanner's own SSH access: SFTP to the master host into the staging folder
(`<config_folder>/host/<host>/`) and `/etc/sensu/plugins`, then from the master `scp` to each
host and `service sensu-client restart` there (through `ssh <host>`, as every scanner command).
Every command is an argv list quoted by the access layer; host ids and file names never reach a
shell raw. Hosts are deployed in parallel; one that fails is reported by name and the others go on.
"""

from __future__ import annotations

import logging
import posixpath
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

from monitoring.files import render
from monitoring.generate import Generated
from monitoring.ids import encode_id

log = logging.getLogger(__name__)

CONF_DIR = "/etc/sensu/conf.d"
PLUGINS_DIR = "/etc/sensu/plugins"
CHECKS_DIR = Path(__file__).parent / "checks"
SCP = ("scp", "-p", "-q", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes")
WORKERS = 16


class Remote(Protocol):
    """What deployment needs from the scanner's SSH client (scan.access.ssh.Cli has it)."""

    def master_name(self) -> str: ...
    def run(self, host: str, command, ok_status: tuple[int, ...] = (0,)) -> str: ...


class Uploader(Protocol):
    def __call__(self, files: dict[str, tuple[bytes, int]]) -> None: ...


@dataclass
class DeployReport:
    hosts: list[str] = field(default_factory=list)
    files: int = 0
    errors: dict[str, list[str]] = field(default_factory=dict)

    def fail(self, host: str, reason: str) -> None:
        self.errors.setdefault(host, []).append(reason)


def check_scripts(directory: Path = CHECKS_DIR) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.glob("*.py")) if not p.name.startswith(("test", "_"))}


def staging_dir(config_folder: str, host: str) -> str:
    return posixpath.join(config_folder, "host", encode_id(host, part=False))


def deploy(remote: Remote, upload: Uploader, gen: Generated, config_folder: str,
           scripts: dict[str, bytes] | None = None, workers: int = WORKERS) -> DeployReport:
    """Stage everything on the master in one SFTP session, then fan out host by host."""
    scripts = check_scripts() if scripts is None else scripts
    report = DeployReport()
    master = remote.master_name()
    staged: dict[str, tuple[bytes, int]] = {}
    for host, files in gen.hosts.items():
        for name, config in files.items():
            staged[posixpath.join(staging_dir(config_folder, host), name)] = (render(config), 0o600)
    for name, data in scripts.items():
        staged[posixpath.join(PLUGINS_DIR, name)] = (data, 0o755)
    try:
        dirs = sorted({posixpath.dirname(p) for p in staged})
        remote.run(master, ("mkdir", "-p", *dirs))
        upload(staged)
    except Exception as e:   # nothing can reach any host without the master
        for host in gen.hosts:
            report.fail(host, f"staging on the master host {master} failed: {e}")
        return report
    report.files = len(staged)

    def one(host: str) -> None:
        try:
            _host(remote, master, host, sorted(gen.hosts[host]), config_folder, sorted(scripts))
            report.hosts.append(host)
        except Exception as e:
            report.fail(host, f"monitoring deployment: {e}")

    with ThreadPoolExecutor(max_workers=max(1, min(workers, len(gen.hosts) or 1))) as pool:
        list(pool.map(one, sorted(gen.hosts)))
    return report


def _host(remote: Remote, master: str, host: str, names: list[str], config_folder: str, scripts: list[str]) -> None:
    stage = staging_dir(config_folder, host)
    configs = [posixpath.join(stage, n) for n in names]
    plugins = [posixpath.join(PLUGINS_DIR, n) for n in scripts]
    if host == master:
        remote.run(master, ("mkdir", "-p", CONF_DIR))
        remote.run(master, ("cp", "-p", *configs, CONF_DIR + "/"))
    else:
        remote.run(host, ("mkdir", "-p", CONF_DIR, PLUGINS_DIR))
        remote.run(master, (*SCP, *configs, f"{host}:{CONF_DIR}/"))
        if plugins:
            remote.run(master, (*SCP, *plugins, f"{host}:{PLUGINS_DIR}/"))
    remote.run(host, ("service", "sensu-client", "restart"))
    log.debug("monitoring deployed to %s", host)
