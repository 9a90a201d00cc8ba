"""Start the protocol servers of `simulator.servers` on one model, check they answer, write the
environment_config that points at them, and stop them all cleanly."""

from __future__ import annotations

import importlib
import json
import logging
import os
import socket
import time
from pathlib import Path

from app.envconfig.catalog import Catalog
from app.envconfig.validate import validate_environment
from app.errors import CalipsoError
from simulator.model.core import Model
from simulator.options import SimOptions
from simulator.servers import OPTIONAL, SECTION_NAMES, SERVERS

log = logging.getLogger(__name__)

DRIVER_NAMES = {"ovs": "OVS", "linuxbridge": "LXB", "vpp": "VPP"}
CONFIG_FILE = "environment_config.json"


def load_server_class(spec: str):
    """`"module:Class"` -> the class, or None when the module does not exist (yet)."""
    module_name, _, cls_name = spec.partition(":")
    try:
        module = importlib.import_module(module_name)
    except ModuleNotFoundError as e:
        if e.name and (module_name == e.name or module_name.startswith(e.name + ".")):
            return None
        raise
    return getattr(module, cls_name)


class Simulation:
    """The running simulator: model + protocol servers. `start()`, then `stop()` (idempotent)."""

    def __init__(self, model: Model, options: SimOptions, servers: dict[str, str] | None = None):
        self.model, self.options = model, options
        self.table = dict(SERVERS if servers is None else servers)
        self.running: dict[str, object] = {}

    def start(self) -> dict:
        """Start every available server; return the environment_config written under state_dir."""
        self.options.state_dir.mkdir(parents=True, exist_ok=True)
        config_path = self.options.state_dir / CONFIG_FILE
        if config_path.exists():
            config_path.unlink()  # never leave a stale file that looks like "ready"
        try:
            for name, spec in self.table.items():
                needs = OPTIONAL.get(name)
                if needs and not getattr(self.options, needs, False):
                    continue
                cls = load_server_class(spec)
                if cls is None:
                    log.warning("protocol server %s (%s) is not available; skipped", name, spec)
                    continue
                server = cls(self.model, self.options)
                try:
                    server.start()
                except OSError as e:
                    raise CalipsoError(f"cannot start the {name} server: {e.strerror or e}") from None
                self.running[name] = server
            self.wait_ready()
            doc = self.environment_config()
        except BaseException:
            self.stop()
            raise
        tmp = config_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
        os.chmod(tmp, 0o600)  # it holds the simulated cloud's passwords
        tmp.replace(config_path)
        return doc

    def wait_ready(self, timeout: float = 30.0) -> None:
        """Every listed endpoint accepts TCP connections (those down on purpose excepted)."""
        deadline = time.monotonic() + timeout
        for name, server in self.running.items():
            for host, port in self._endpoints(name, server):
                while True:
                    try:
                        with socket.create_connection((host, port), timeout=1):
                            break
                    except OSError:
                        if time.monotonic() > deadline:
                            raise CalipsoError(f"the {name} server on {host}:{port} did not answer in "
                                               f"{timeout:.0f} s") from None
                        time.sleep(0.05)

    @staticmethod
    def _endpoints(name: str, server) -> list[tuple[str, int]]:
        """Endpoints to probe; servers without `endpoints()` are ready when `start()` returns (a bare
        TCP probe would make an SSH server log a protocol error)."""
        return list(server.endpoints()) if hasattr(server, "endpoints") else []

    def sections(self) -> list[dict]:
        out = []
        for name, server in self.running.items():
            section = server.config_section()
            if section:
                out.append({"name": SECTION_NAMES.get(name, name), **{k: v for k, v in section.items()
                                                                      if k != "name"}})
        return out

    def environment_config(self) -> dict:
        p = self.model.params
        drivers = [DRIVER_NAMES[p.mechanism_driver]] + (["SRIOV"] if p.sriov else [])
        version = p.distribution_version or ("Mitaka" if p.release == "old" else "zed")
        doc = {"name": self.options.name or f"sim-{p.mechanism_driver}", "type": "environment",
               "environment_type": "OpenStack", "distribution": p.distribution, "distribution_version": version,
               "mechanism_drivers": drivers, "type_drivers": p.type_driver, "listen": True,
               "enable_monitoring": "sensu" in self.running, "aci_enabled": bool(p.aci and "apic" in self.running),
               "configuration": self.sections()}
        missing = {"OpenStack", "mysql", "CLI"} - {s["name"] for s in doc["configuration"]}
        if missing:
            log.warning("environment config lacks %s (servers not available); it will not validate",
                        ", ".join(sorted(missing)))
            return doc
        validate_environment(doc, Catalog.from_seed())  # our own output must be valid: fail loudly if not
        return doc

    def stop(self) -> None:
        for name, server in reversed(list(self.running.items())):
            try:
                server.stop()
            except Exception:
                log.exception("stopping the %s server failed", name)
        self.running.clear()


def write_model(model: Model, path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(model.to_json(), indent=1, sort_keys=True) + "\n", encoding="utf-8")
