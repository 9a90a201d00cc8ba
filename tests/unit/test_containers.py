"""docker-compose.yml and docker/*.Dockerfile, checked without a Docker engine (none runs here):
every service command is a real `calipso` subcommand, ports and volumes are consistent, and every
image installs exactly this project."""

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

# Subcommands the compose file runs that are not built yet, with what brings them.
PLANNED = {
    "scan-manager": "issue 4 (scanner)",
    "listen": "issue 6 (event listener)",
    "api": "issue 5 (REST API)",
    "monitoring": "not filed yet (Sensu monitoring)",
    "ui": "not filed yet (web UI)",
}


def test_every_service_of_the_design_is_there():
    assert set(CALIPSO_SERVICES) == {"scan", "listen", "api", "monitoring", "ui"}
    assert SERVICES["mongo"]["image"].startswith("mongo:") and SERVICES["rabbitmq"]["image"].startswith("rabbitmq:")
    for name in ("mongo", "rabbitmq"):
        assert "healthcheck" in SERVICES[name]


@pytest.mark.parametrize("name", sorted(CALIPSO_SERVICES))
def test_service_command_is_a_calipso_subcommand(name):
    command = CALIPSO_SERVICES[name]["command"]
    assert command[0] == "calipso"
    sub = command[1]
    if sub not in COMMANDS:
        assert sub in PLANNED, f"'calipso {sub}' is neither a subcommand nor a planned one"
        return
    build_parser(only=sub).parse_args(command[1:])  # exits (SystemExit) on unknown options


@pytest.mark.parametrize("name", sorted(CALIPSO_SERVICES))
def test_dockerfile_matches_compose(name):
    svc = CALIPSO_SERVICES[name]
    dockerfile = ROOT / svc["build"]["dockerfile"]
    text = dockerfile.read_text()
    assert re.search(r"^FROM calipso-base\s*$", text, re.M), "every service image builds on the shared base"
    cmd = re.search(r"^CMD (\[.*\])\s*$", text, re.M)
    assert cmd and yaml.safe_load(cmd.group(1)) == svc["command"], "Dockerfile CMD and compose command agree"
    exposed = {int(p) for p in re.findall(r"^EXPOSE (\d+)", text, re.M)}
    published = {int(p.split(":")[1]) for p in svc.get("ports", [])}
    assert published <= exposed, f"{name} publishes {published} but exposes {exposed}"
    assert "pip install" not in text, "only the base image installs packages"


def test_published_ports_are_the_documented_ones():
    ports = {name: [p for p in svc.get("ports", [])] for name, svc in CALIPSO_SERVICES.items() if svc.get("ports")}
    assert ports == {"api": ["8747:8747"], "ui": ["80:80"]}
    assert "0.0.0.0:8747" in CALIPSO_SERVICES["api"]["command"]


def test_named_volumes_are_declared_and_used():
    declared = set(COMPOSE["volumes"])
    used = {v.split(":")[0] for svc in SERVICES.values() for v in svc.get("volumes", [])}
    assert used == declared


def test_base_image_installs_this_project_and_its_packages():
    text = (ROOT / "docker" / "base.Dockerfile").read_text()
    assert re.search(r"^RUN pip install --no-cache-dir \.\s*$", text, re.M), "the base installs the project itself"
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    packages = set(project["optional-dependencies"]) | {"app", "scan", "listen", "api", "monitoring", "ui", "simulator"}
    copied = set(re.findall(r"^COPY (\w+) \./\1\s*$", text, re.M))
    assert copied == packages - set(project["optional-dependencies"]), "every package directory is copied"
    py = re.search(r"^FROM python:(\d+\.\d+)", text, re.M).group(1)
    assert project["requires-python"] == f">={py}"


def test_services_reach_the_store_through_the_environment():
    for name, svc in CALIPSO_SERVICES.items():
        env = svc.get("environment") or {}
        assert env.get("CALIPSO_MONGO_URI", "").startswith("mongodb://mongo:27017/"), name
        assert "mongo" in svc["depends_on"]
