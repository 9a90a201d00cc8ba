"""Shared fixtures: the embedded store over the wire, and the real MariaDB / RabbitMQ.

Tests that need MariaDB or RabbitMQ skip with a one-line reason when the service is not
reachable, except under CI=true, where they fail instead: CI must run them.
"""

from __future__ import annotations

import os
import socket
import uuid
from pathlib import Path

import pytest

from app.store.embedded import EmbeddedStore
from app.store.init import init_db
from app.store.store import Store, StoreLocation

CI = os.environ.get("CI") == "true"


def port_open(host: str, port: int, timeout: float = 1.0) -> bool:
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def need_service(name: str, port: int, host: str = "127.0.0.1") -> None:
    if port_open(host, port):
        return
    if CI:
        pytest.fail(f"{name} is not reachable on {host}:{port}, and CI=true forbids skipping this test")
    pytest.skip(f"{name} not reachable on {host}:{port}")


@pytest.fixture(scope="session")
def mariadb() -> dict:
    need_service("MariaDB", 3306)
    return {"host": "127.0.0.1", "port": 3306, "user": "root", "password": ""}


@pytest.fixture(scope="session")
def rabbitmq() -> str:
    need_service("RabbitMQ", 5672)
    return "amqp://guest:guest@127.0.0.1:5672//"


@pytest.fixture(scope="session")
def calipso_home(tmp_path_factory) -> Path:
    home = tmp_path_factory.mktemp("calipso-home")
    yield home
    EmbeddedStore(home).stop()


@pytest.fixture(scope="session")
def store_uri(calipso_home) -> str:
    """URI of one embedded store (nx-27017) shared by the whole test session."""
    return EmbeddedStore(calipso_home).ensure_running()


@pytest.fixture
def store(store_uri) -> Store:
    """A Store on a fresh database of the shared embedded server, dropped afterwards."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    s = Store.connect(StoreLocation(f"{store_uri}{name}", "test embedded store", embedded=True))
    yield s
    try:
        s.client.drop_database(name)
    finally:
        s.close()


@pytest.fixture
def initialized_store(store) -> Store:
    init_db(store)
    return store


@pytest.fixture
def cli_env(calipso_home, store_uri, monkeypatch) -> dict:
    """Environment variables for running `calipso` in a subprocess against the shared store."""
    name = f"t_{uuid.uuid4().hex[:12]}"
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home), "CALIPSO_MONGO_URI": f"{store_uri}{name}"}
    return env
