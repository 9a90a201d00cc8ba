"""docker-compose.yml, docker/Dockerfile and .dockerignore read as a newcomer would: every service runs a
real `calipso` subcommand, each image is a stage of the one Dockerfile, ports, volumes and secrets are
consistent. (`make test-containers` builds and runs them for real.)"""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import pytest
import yaml

from app.cli.commands import COMMANDS
from app.cli.main import build_parser

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES = COMPOSE["services"]
CALIPSO_SERVICES = {name: svc for name, svc in SERVICES.items() if "build" in svc}
DOCKERFILE = (ROOT / "docker" / "Dockerfile").read_text()
STAGES = {name: parent for parent, name in re.findall(r"^FROM (\S+) AS ([\w-]+)\s*$", DOCKERFILE, re.M)}


def stage_text(name: str) -> str:
    start = re.search(rf"^FROM \S+ AS {name}\s*$", DOCKERFILE, re.M).end()
    following = re.search(r"^FROM ", DOCKERFILE[start:], re.M)
    return DOCKERFILE[start:start + following.start()] if following else DOCKERFILE[start:]


def test_every_service_of_the_design_is_there():
    assert set(CALIPSO_SERVICES) == {"scan", "scan-worker", "listen", "api", "monitoring", "ui", "sim"}
    assert SERVICES["mongo"]["image"].startswith("mongo:") and SERVICES["rabbitmq"]["image"].startswith("rabbitmq:")
    assert SERVICES["sim"]["profiles"] == ["demo"], "the simulated cloud joins only with --profile demo"


@pytest.mark.parametrize("name", sorted(CALIPSO_SERVICES))
def test_service_command_is_a_calipso_subcommand(name):
    command = CALIPSO_SERVICES[name]["command"]
    assert command[0] == "calipso" and command[1] in COMMANDS, f"'calipso {command[1]}' is not a subcommand"
    args = [re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", part) for part in command[1:]]  # compose's defaults
    build_parser(only=command[1]).parse_args(args)  # exits (SystemExit) on unknown options


@pytest.mark.parametrize("name", sorted(CALIPSO_SERVICES))
def test_each_service_is_a_thin_stage_of_the_shared_base(name):
    build = CALIPSO_SERVICES[name]["build"]
    assert build == {"context": ".", "dockerfile": "docker/Dockerfile", "target": build["target"]}
    target = build["target"]
    assert STAGES.get(target) == "base", f"stage {target} builds on the shared base"
    text = stage_text(target)
    assert not re.search(r"^(RUN|COPY|ADD)\b", text, re.M), "a service stage installs nothing"
    cmd = re.search(r"^CMD (\[.*\])\s*$", text, re.M)
    assert cmd and yaml.safe_load(cmd.group(1))[:2] == CALIPSO_SERVICES[name]["command"][:2]
    exposed = {int(p) for p in re.findall(r"^EXPOSE (.+)$", text, re.M)[0].split()} if "EXPOSE" in text else set()
    published = {int(str(p).rsplit(":", 1)[1]) for p in CALIPSO_SERVICES[name].get("ports", [])}
    assert published <= exposed, f"{name} publishes {published} but exposes {exposed}"


def test_base_is_built_from_the_wheel_without_build_tools_and_runs_as_non_root():
    assert STAGES["wheel"].endswith("PYTHON_IMAGE}") and STAGES["base"].endswith("PYTHON_IMAGE}")
    base = stage_text("base")
    assert "COPY --from=wheel /wheels" in base and "*.whl" in base
    assert re.search(r"^USER calipso\s*$", base, re.M)
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    py = re.search(r"^ARG PYTHON_IMAGE=python:(\d+\.\d+)-slim", DOCKERFILE, re.M).group(1)
    assert project["requires-python"] == f">={py}"
    copied = set(re.findall(r"^COPY (\w+) \./\1\s*$", stage_text("wheel"), re.M))
    assert copied == {"app", "scan", "listen", "api", "monitoring", "ui", "simulator", "demo"}, "every package is copied"


def test_build_context_leaves_out_the_venv_and_the_tests():
    ignore = (ROOT / ".dockerignore").read_text().split()
    assert ignore[ignore.index("*") if "*" in ignore else 0] == "*", "everything is excluded unless listed"
    allowed = {line[1:].rstrip("/") for line in ignore if line.startswith("!")}
    assert allowed == {"pyproject.toml", "README.md", "app", "scan", "listen", "api", "monitoring", "ui",
                       "simulator", "demo"}


def test_published_ports_are_the_documented_ones():
    def port(svc):
        return [str(p).rsplit(":", 1)[1] for p in SERVICES[svc].get("ports", [])]

    assert port("lb") == ["80", "8747"], "one entry for the UI and the API, in front of their replicas"
    assert "0.0.0.0:8747" in CALIPSO_SERVICES["api"]["command"]
    assert all(str(p).startswith("127.0.0.1:") for p in SERVICES["sim"]["ports"]), "the demo cloud stays local"


def test_named_volumes_are_declared_and_used():
    declared = set(COMPOSE["volumes"])
    used = {v.split(":")[0] for svc in SERVICES.values() for v in svc.get("volumes", []) if not v.startswith(".")}
    assert used == declared
    for path in ("docker/config", "docker/keys"):
        assert (ROOT / path / "README").is_file(), f"{path} exists in a fresh clone and says what goes there"


def test_services_wait_for_the_store_themselves_instead_of_health_ordering():
    assert "condition" not in (ROOT / "docker-compose.yml").read_text(), "no health-based ordering"
    assert re.search(r"CALIPSO_STORE_WAIT=\d+", stage_text("base"))
    for name, svc in CALIPSO_SERVICES.items():
        env = svc.get("environment") or {}
        assert env.get("CALIPSO_MONGO_URI", "").endswith("mongodb://mongo:27017/calipso}"), name


def test_no_secret_has_a_default_value():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "${CALIPSO_AMQP_PASSWORD:?" in text, "compose refuses to start without a broker password"
    assert not re.search(r"PASS(WORD)?\w*:-[^}]", text), "no password falls back to a shipped default"
    settings = re.findall(r"^(?:ENV|ARG)\b.*(?:\n\s+.*)*", DOCKERFILE, re.M)
    assert settings and not any(re.search(r"(?i)pass|secret|token|key", s) for s in settings), "nothing baked in"


def test_ui_api_and_scan_workers_scale_behind_the_load_balancer():
    text = (ROOT / "docker-compose.yml").read_text()
    assert "container_name" not in text, "a fixed container name forbids --scale"
    for name, knob in (("ui", "CALIPSO_UI_REPLICAS"), ("api", "CALIPSO_API_REPLICAS"), ("scan-worker", "CALIPSO_SCAN_WORKERS")):
        assert not SERVICES[name].get("ports"), f"{name} publishes no host port: its replicas would clash"
        assert SERVICES[name]["scale"] == f"${{{knob}:-1}}", "replicas set where `up` and `down` both read them"
    cfg = (ROOT / "docker" / "lb" / "haproxy.cfg").read_text()
    mount = next(v for v in SERVICES["lb"]["volumes"] if "haproxy.cfg" in v)
    assert mount.startswith("./docker/lb/haproxy.cfg:") and mount.endswith(":ro")
    for backend, target in (("ui", "ui:80"), ("api", "api:8747")):
        assert re.search(rf"^backend {backend}\n(?:\s+.*\n)*?\s+server-template {backend} \d+ {target}\s*$", cfg, re.M)
    assert "resolvers compose" in cfg and "parse-resolv-conf" in cfg, "replicas are found again as they come and go"
    assert SERVICES["scan-worker"]["environment"]["CALIPSO_BROKER_URL"].endswith("@rabbitmq:5672//")
    assert "CALIPSO_BROKER_URL" not in SERVICES["api"]["environment"], "the broker password only where it is used"
