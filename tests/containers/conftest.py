"""The compose stack, built and run for real with podman (or docker), reached only through published ports.

`make test-containers` builds every image first, with local stand-ins for the official images (no
registry is reachable here): `mongo` is our embedded store in an image of ours, `rabbitmq` is Debian's
rabbitmq-server, `python:3.11-slim` is Debian 12's python3 (tests/containers/standins/).
"""

from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from pathlib import Path

import pytest
import requests

from tests.ports import spare_port

ROOT = Path(__file__).resolve().parents[2]
CI = os.environ.get("CI") == "true"
REPLICAS = {"CALIPSO_UI_REPLICAS": "2", "CALIPSO_API_REPLICAS": "2", "CALIPSO_SCAN_WORKERS": "2"}   # compose's `scale`


def engine() -> str | None:
    r = subprocess.run([str(ROOT / "tests" / "containers" / "engine.sh"), "check"], capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def compose_command(name: str) -> list[str]:
    if name == "podman":
        exe = shutil.which("podman-compose") or str(Path(os.sys.executable).with_name("podman-compose"))
        return [exe]
    return ["docker", "compose"]


class Stack:
    """One compose project with its own name, ports and secrets; `down` removes every trace."""

    def __init__(self, engine_name: str, workdir: Path):
        self.engine = engine_name
        self.project = f"calipsoct{secrets.token_hex(3)}"
        self.ports = {k: spare_port() for k in ("api", "ui", "keystone", "nova", "neutron")}
        self.admin_password = "Ct-admin-" + secrets.token_hex(6)
        self.sim_password = "Ct-cloud-" + secrets.token_hex(6)
        self.env = {**os.environ,
                    "COMPOSE_PROJECT_NAME": self.project,
                    "CALIPSO_AMQP_USER": "calipso", "CALIPSO_AMQP_PASSWORD": secrets.token_hex(12),
                    "CALIPSO_CONSOLE_SECRET": secrets.token_hex(16),
                    "CALIPSO_ADMIN_PASSWORD": self.admin_password, "CALIPSO_SIM_ADMIN_PASSWORD": self.sim_password,
                    "CALIPSO_API_PORT": str(self.ports["api"]), "CALIPSO_UI_PORT": str(self.ports["ui"]),
                    "CALIPSO_SIM_KEYSTONE_PORT": str(self.ports["keystone"]),
                    "CALIPSO_SIM_NOVA_PORT": str(self.ports["nova"]),
                    "CALIPSO_SIM_NEUTRON_PORT": str(self.ports["neutron"]), **REPLICAS}
        self.log = workdir / "compose.log"

    def compose(self, *args: str, timeout: float = 600, check: bool = True) -> subprocess.CompletedProcess:
        cmd = compose_command(self.engine) + ["-f", str(ROOT / "docker-compose.yml"), "-p", self.project,
                                              "--profile", "demo", *args]
        r = subprocess.run(cmd, cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=timeout)
        with self.log.open("a") as f:
            f.write(f"$ {' '.join(cmd)}\n{r.stdout}\n{r.stderr}\n")
        if check and r.returncode != 0:
            raise AssertionError(f"{' '.join(args)} failed ({r.returncode}): {r.stderr[-2000:]}")
        return r

    def containers(self) -> list[str]:
        r = subprocess.run([self.engine, "ps", "-a", "--format", "{{.Names}}",
                            "--filter", f"label=com.docker.compose.project={self.project}"],
                           capture_output=True, text=True)
        return [n for n in r.stdout.split() if n]

    def logs(self, service: str) -> str:
        return self.compose("logs", service, check=False, timeout=60).stdout

    def api(self, path: str) -> str:
        return f"http://127.0.0.1:{self.ports['api']}{path}"


def wait_for(what: str, probe, timeout: float, every: float = 2.0):
    deadline, last = time.monotonic() + timeout, None
    while time.monotonic() < deadline:
        try:
            value = probe()
            if value:
                return value
        except (requests.RequestException, ValueError, KeyError) as e:
            last = e
        time.sleep(every)
    raise AssertionError(f"{what} did not happen within {timeout:.0f} s (last error: {last})")


@pytest.fixture(scope="session")
def stack(tmp_path_factory):
    name = engine()
    if name is None:
        if CI:
            pytest.fail("no container engine answers, and CI=true forbids skipping the container test")
        pytest.skip("no container engine (podman or docker) answers here")
    s = Stack(name, tmp_path_factory.mktemp("compose"))
    try:
        s.started = time.monotonic()
        s.compose("up", "-d", timeout=900)
        yield s
    finally:
        for service in ("sim", "scan", "scan-worker", "listen", "api", "ui", "lb", "monitoring", "mongo"):
            (s.log.parent / f"{service}.log").write_text(s.logs(service))
        s.compose("down", "-v", "-t", "5", check=False, timeout=300)
        print(f"compose and service logs: {s.log.parent}")
