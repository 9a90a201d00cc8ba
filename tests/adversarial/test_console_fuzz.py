"""Every console input that could reach a server error gets a 4xx instead: every form and script endpoint
of every screen (found from the console's own route table) is sent hostile values (NUL, CR/LF, U+3000,
invalid UTF-8, 200 KB strings, huge numbers, JSON nested 50,000 deep, objects where strings belong,
wrong content types), and every page hostile path parameters and query strings, signed in as admin with
a valid CSRF token. Bounded: about 2,600 requests."""

from __future__ import annotations

import json
import re
from urllib.parse import quote

import requests

from app.envconfig.repository import EnvironmentConfigs
from app.store.embedded import EmbeddedStore
from app.store.store import Store, StoreLocation
from tests.adversarial.conftest import console_session

ENV = "fuzz-env"
VALUES = ["", "x" * 200_000, "\x00", "a\r\nb", "\u3000", "<script>alert(1)</script>", "-1",
          "9" * 400, "1e309", "NaN", "[]", "{}", "../../../etc/passwd", "\ud7ff\ufffe", ENV]
JSON_BODIES = [b"[" * 50_000 + b"]" * 50_000, b'{"a": ' * 5000 + b"1" + b"}" * 5000, b"[]", b'"text"', b"1e400",
               b'{"name": {"$gt": ""}, "environment": ["x"], "page_size": -5}', b"\xff\xfe\x00", b"null"]
PATH_VALUES = [ENV, "no-such", "%00", "%0d%0a", "%E3%80%80", "..%2F..%2Fetc", "x" * 3000, "%FF"]
QUERIES = ["page=-1&page_size=99999999999999999999", "env_name=%00&id=%0d%0a", "next=%09//evil",
           "q=" + "%E3%80%80" * 500, "depth=1e309&type[]=x", "%FF=%FE"]
SKIP = {"/logout"}     # it would end the fuzzing session


def _seed_environment(stack) -> None:
    import copy
    from pathlib import Path
    doc = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "environment_config.json").read_text())
    store = Store.connect(StoreLocation(EmbeddedStore(stack.home).ensure_running(), "fuzz"))
    try:
        configs = EnvironmentConfigs(store)
        if configs.find(ENV) is None:
            configs.add({**copy.deepcopy(doc), "name": ENV})
    finally:
        store.close()


def _routes(stack) -> list[tuple[str, object]]:
    from ui.app import create_app
    from ui.settings import UiSettings
    return create_app(UiSettings(api_url=stack.api)).console.routes


def _fields(html: str) -> set[str]:
    return set(re.findall(r'<(?:input|select|textarea)[^>]*\bname="([^"]+)"', html)) - {"csrf_token"}


def _fill(path: str, value: str) -> str:
    path = re.sub(r"\{[^}]+\}", value, path)
    return path[:-1] + value if path.endswith("*") else path


class Fuzzer:
    def __init__(self, stack):
        self.stack = stack
        self.session, self.csrf = console_session(stack)
        self.errors: list[str] = []
        self.sent = 0

    def send(self, method: str, path: str, **kw) -> requests.Response | None:
        self.sent += 1
        try:
            r = self.session.request(method, f"{self.stack.ui}{path}", allow_redirects=False, timeout=60,
                                     stream=True, **kw)
            if r.headers.get("Content-Type", "").startswith("text/event-stream"):
                r.close()               # a live-update stream: its answer is the status
            else:
                r.content
        except requests.RequestException as e:
            self.errors.append(f"{method} {path[:120]}: no answer ({type(e).__name__})")
            return None
        if r.status_code >= 500 and r.status_code != 501:
            self.errors.append(f"{method} {path[:120]} {str(kw)[:160]}: {r.status_code}")
        if r.status_code == 303 and "/login" in r.headers.get("Location", ""):
            self.session, self.csrf = console_session(self.stack)      # signed out by a form: back in
        return r


def test_no_console_input_reaches_a_server_error(stack):
    _seed_environment(stack)
    f = Fuzzer(stack)
    for path, resource in _routes(stack):
        if path in SKIP or path.startswith("/static"):
            continue
        methods = [m for m in ("POST", "PUT", "PATCH", "DELETE") if hasattr(resource, f"on_{m.lower()}")
                   or (path.endswith("*") and hasattr(resource, "__call__"))]
        for value in PATH_VALUES:
            target = _fill(path, value)
            if hasattr(resource, "on_get") or path.endswith("*"):
                for query in (QUERIES if value == ENV else QUERIES[:2]):
                    f.send("GET", f"{target}?{query}")
            page = f.send("GET", _fill(path, ENV)) if value == ENV else None
            names = _fields(page.text) if page is not None and page.status_code == 200 else set()
            names |= {"username", "password", "name", "next", "environment", "value"}
            for method in methods:
                for v in (VALUES if value == ENV else VALUES[:3]):
                    f.send(method, target, data={**{n: v for n in names}, "csrf_token": f.csrf})
                f.send(method, target, data=b"csrf_token=" + quote(f.csrf).encode() + b"&name=%FF%FE&next=%00",
                       headers={"Content-Type": "application/x-www-form-urlencoded"})
                for body in (JSON_BODIES if value == ENV else JSON_BODIES[:2]):
                    f.send(method, target, data=body, headers={"Content-Type": "application/json",
                                                               "X-CSRF-Token": f.csrf})
                f.send(method, target, data=b"\x00\x01", headers={"Content-Type": "text/plain", "X-CSRF-Token": f.csrf})
                f.send(method, target, data={n: {"nested": ["x"]} for n in names} and
                       json.dumps({n: {"nested": ["x"]} for n in names}).encode(),
                       headers={"Content-Type": "application/json", "X-CSRF-Token": f.csrf})
    print(f"console fuzz: {f.sent} requests, {len(f.errors)} server errors")
    assert f.sent > 500
    assert f.errors == [], f"{len(f.errors)} server errors of {f.sent}:\n" + "\n".join(f.errors[:40])
