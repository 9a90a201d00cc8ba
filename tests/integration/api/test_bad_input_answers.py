"""Bad input gets a clear answer naming the field: never a 500, never a secret, never kilobytes echoed back."""

from __future__ import annotations

import copy
import json

import uuid

import pytest
import requests

from api.server import start_background
from tests.integration.api.conftest import fresh_env_config
from tests.ports import spare_port


@pytest.fixture(scope="module")
def served_api(store_uri):
    """The API behind real gunicorn: chunked transfer is decoded by the server, not by a test client."""
    bg = start_background(f"{store_uri}chunked_{uuid.uuid4().hex[:8]}", bind=f"127.0.0.1:{spare_port()}")
    yield bg.url, (bg.admin_user, bg.admin_password)
    bg.stop()


def _sections(api, env="visible"):
    return copy.deepcopy(api.call("GET", f"/environment_configs/{env}").json)


def test_put_with_a_section_name_that_is_an_object_or_array_is_a_400_naming_it(api):
    for bad in ({"$gt": ""}, ["CLI"], {"a": 1}):
        doc = _sections(api)
        doc["configuration"][0]["name"] = bad
        r = api.call("PUT", "/environment_configs/visible", json_body=doc)
        assert r.status_code == 400, r.text
        assert "configuration[0].name" in r.text or "configuration" in r.text


def test_a_huge_value_is_not_echoed_back(api):
    doc = fresh_env_config("huge-echo")
    doc["distribution"] = "x" * 200_000
    r = api.call("POST", "/environment_configs", json_body=doc)
    assert r.status_code == 400 and "distribution" in r.text
    assert len(r.text) < 5000, f"{len(r.text)} bytes answered to a 200 kB value"


def test_terminal_escape_bytes_in_input_come_back_inert(api):
    r = api.call("GET", "/inventory", query="env_name=%1B%5D0%3Bowned%07visible")
    assert r.status_code in (400, 404)
    assert "\x1b" not in r.text and "\\u001b" not in r.text


def test_a_chunked_request_body_is_accepted(served_api):
    url, auth = served_api

    def chunks():
        body = json.dumps({"auth": {"methods": ["credentials"],
                                    "credentials": {"username": auth[0], "password": auth[1]}}}).encode()
        for i in range(0, len(body), 7):
            yield body[i:i + 7]

    r = requests.post(f"{url}/auth/tokens", data=chunks(), headers={"Content-Type": "application/json"}, timeout=30)
    assert r.request.headers.get("Transfer-Encoding") == "chunked"
    assert r.status_code == 201, r.text
    assert r.json()["token"]
