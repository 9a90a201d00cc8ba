"""The API's side of hostile bodies: every operation that takes a body (from its own OpenAPI document)
is sent JSON nested 50,000 deep, a number past float range, invalid UTF-8 and a wrong content type,
signed in as admin; each answer is a 4xx with the API's JSON error, never a 5xx."""

from __future__ import annotations

import re

import requests

from tests.adversarial.conftest import USERS

BODIES = [(b"[" * 50_000 + b"]" * 50_000, "application/json"),
          (b'{"a": ' * 5000 + b"1" + b"}" * 5000, "application/json"),
          (b"1e400", "application/json"), (b"\xff\xfe{", "application/json"), (b"\x00\x01", "text/plain")]


def test_no_api_body_reaches_a_server_error(stack):
    doc = requests.get(f"{stack.api}/openapi.json", timeout=30).json()
    auth = ("admin", USERS["admin"])
    errors, sent = [], 0
    for path, ops in doc["paths"].items():
        target = re.sub(r"\{[^}]+\}", "x", path)
        for method in ("post", "put", "patch"):
            if method not in ops:
                continue
            for body, kind in BODIES:
                sent += 1
                r = requests.request(method, f"{stack.api}{target}", data=body, auth=auth, timeout=60,
                                     headers={"Content-Type": kind})
                if r.status_code >= 500:
                    errors.append(f"{method.upper()} {target} {body[:20]!r}: {r.status_code} {r.text[:100]}")
                elif r.status_code >= 400:
                    assert "error" in r.json(), r.text[:200]
    assert sent >= 20
    assert errors == [], "\n".join(errors)
