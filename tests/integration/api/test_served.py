"""Through real gunicorn: `calipso api` started in the background, the first admin, `calipso user`."""

from __future__ import annotations

import subprocess
import sys

import pytest
import requests

from api.server import start_background
from tests.ports import spare_port


def calipso(cli_env, *args, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], env=cli_env, input=stdin,
                          capture_output=True, text=True, timeout=60)


@pytest.fixture(scope="module")
def served(calipso_home, store_uri):
    import uuid
    uri = f"{store_uri}served_{uuid.uuid4().hex[:8]}"
    bg = start_background(uri, bind=f"127.0.0.1:{spare_port()}", workers=2)
    yield bg, uri
    bg.stop()


def test_gunicorn_serves_the_api_with_the_first_admin(served):
    bg, _ = served
    assert bg.admin_password
    assert requests.get(f"{bg.url}/inventory", timeout=10).status_code == 401
    token = requests.post(f"{bg.url}/auth/tokens", timeout=10, json={"auth": {"methods": ["credentials"], "credentials": {
        "username": "admin", "password": bg.admin_password}}}).json()["token"]
    r = requests.get(f"{bg.url}/constants", params={"name": "link_states"}, headers={"X-Auth-Token": token}, timeout=10)
    assert r.status_code == 200 and [d["value"] for d in r.json()["data"]] == ["up", "down"]
    doc = requests.get(f"{bg.url}/openapi.json", timeout=10).json()
    assert "/inventory" in doc["paths"] and doc["openapi"].startswith("3.")
    for _ in range(8):  # several workers, one store
        assert requests.get(f"{bg.url}/health", auth=("admin", bg.admin_password), timeout=10).status_code == 200


def test_user_commands_against_the_served_store(served, cli_env):
    bg, uri = served
    env = {**cli_env, "CALIPSO_MONGO_URI": uri}
    r = calipso(env, "user", "add", "carol", "--password-stdin", stdin="Carol-pass-1\n")
    assert r.returncode == 0, r.stderr
    assert "carol" in calipso(env, "user", "list").stdout
    assert requests.get(f"{bg.url}/health", auth=("carol", "Carol-pass-1"), timeout=10).status_code == 200
    r = calipso(env, "user", "add", "carol", "--password", "Another-pass-1")
    assert r.returncode == 2 and "already exists" in r.stderr
    r = calipso(env, "user", "add", "dave", "--password", "short")
    assert r.returncode == 2 and "at least 8" in r.stderr
    r = calipso(env, "user", "set-password", "carol", "--password-stdin", stdin="Carol-pass-2\n")
    assert r.returncode == 0, r.stderr
    assert requests.get(f"{bg.url}/health", auth=("carol", "Carol-pass-1"), timeout=10).status_code == 401
    assert requests.get(f"{bg.url}/health", auth=("carol", "Carol-pass-2"), timeout=10).status_code == 200
    assert "Carol-pass" not in r.stdout + r.stderr


def test_api_refuses_bad_options(cli_env):
    r = calipso(cli_env, "api", "--workers", "0")
    assert r.returncode == 2 and "--workers" in r.stderr
    r = calipso(cli_env, "api", "--ldap_config", "/no/such/ldap.conf")
    assert r.returncode == 2 and "ldap.conf" in r.stderr
