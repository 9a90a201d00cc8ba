"""A tiny threaded HTTP server for falcon apps, and the request plumbing the three services share.

Each service is a route table `[(METHOD, regex, handler)]`; a handler gets `(call, **groups)` and
returns `(status, body)` (body: dict -> JSON, str -> text, None -> empty). One falcon sink does the
dispatch so Nova's many path prefixes (`/v2/<project>/`, `/v2.1/`...) map to one handler.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import socketserver
import threading
import uuid
from dataclasses import dataclass
from typing import Callable
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer

import falcon

from simulator.faults import Conditions
from simulator.model.errors import ModelError

log = logging.getLogger(__name__)

Handler = Callable[..., tuple]
Routes = list[tuple[str, str, Handler]]

UNAUTHORIZED = {"error": {"code": 401, "title": "Unauthorized",
                          "message": "The request you have made requires authentication."}}


class HttpError(Exception):
    def __init__(self, status: int, body: dict | str | None, headers: dict | None = None):
        self.status, self.body, self.headers = status, body, headers or {}


@dataclass
class Call:
    """One request as handlers see it."""

    method: str
    path: str
    params: dict
    headers: dict
    raw_body: bytes
    token: dict | None
    base_url: str           # http://127.0.0.1:<port>

    def json(self, malformed: Callable[[str], HttpError]) -> dict:
        """The request body as a JSON object, or the service's own 400 for a malformed one."""
        if not self.raw_body:
            raise malformed("Malformed request body")
        try:
            doc = json.loads(self.raw_body)
        except (ValueError, UnicodeDecodeError):
            raise malformed("Malformed request body") from None
        if not isinstance(doc, dict):
            raise malformed("Malformed request body")
        return doc

    @property
    def microversion(self) -> tuple[int, int]:
        text = self.headers.get("OPENSTACK-API-VERSION", "") or self.headers.get("X-OPENSTACK-NOVA-API-VERSION", "")
        m = re.search(r"(\d+)\.(\d+)", text)
        if "latest" in text:
            return (2, 93)
        return (int(m.group(1)), int(m.group(2))) if m else (2, 1)


class Service:
    """A falcon app for one OpenStack service: routing, tokens, latency, faults, error mapping."""

    name = "service"
    family = "api"

    def __init__(self, routes: Routes, tokens, conditions: Conditions, lock):
        self.routes = [(m, re.compile(p + r"/?$"), h) for m, p, h in routes]
        self.tokens = tokens
        self.conditions = conditions
        self.lock = lock
        self.base_url = ""
        self.app = falcon.App(middleware=[])
        self.app.add_sink(self._sink, prefix="/")
        self.app.req_options.strip_url_path_trailing_slash = False

    # hooks a service overrides
    def needs_token(self, method: str, path: str) -> bool:
        return True

    def error_body(self, status: int, message: str, exc: Exception | None = None) -> dict:
        return {"error": {"code": status, "title": falcon.HTTP_METHODS and str(status), "message": message}}

    def extra_headers(self, call: Call) -> dict:
        return {}

    # dispatch
    def _sink(self, req: falcon.Request, resp: falcon.Response, **_):
        self.conditions.wait(self.family, self.name)
        path = req.path
        if len(path) > 1 and path.endswith("/") and not re.search(r"/v\d+(\.\d+)?/$", path):
            path = path.rstrip("/")
        headers = {k.upper(): v for k, v in req.headers.items()}
        raw = req.bounded_stream.read() if req.content_length else b""
        call = Call(req.method, path, dict(req.params), headers, raw, None, self.base_url)
        status, body, extra = 404, None, {}
        try:
            handler, groups = self._route(req.method, path)
            if self.needs_token(req.method, path):
                call.token = self.tokens.check(headers.get("X-AUTH-TOKEN"))
                if call.token is None or self.conditions.has(self.name, "auth"):
                    raise HttpError(401, UNAUTHORIZED,
                                    {"WWW-Authenticate": f'Keystone uri="{self.tokens.keystone_url}"'})
            if req.method == "GET":  # a consistent snapshot; mutations take the model lock themselves
                with self.lock:
                    result = handler(call, **groups)
            else:
                result = handler(call, **groups)
            status, body = result[0], result[1]
            extra = result[2] if len(result) > 2 else {}
        except HttpError as e:
            status, body, extra = e.status, e.body, e.headers
        except ModelError as e:
            status = e.http_status
            body = self.error_body(status, str(e), e)
        except Exception:
            log.exception("%s %s failed", req.method, req.path)
            status, body = 500, self.error_body(500, "The server has either erred or is incapable of "
                                                     "performing the requested operation.")
        resp.status = falcon.code_to_http_status(status)
        for k, v in {"x-openstack-request-id": f"req-{uuid.uuid4()}",
                     **self.extra_headers(call), **extra}.items():
            resp.set_header(k, str(v))
        if isinstance(body, (dict, list)):
            text = json.dumps(body)
            if self.conditions.has(self.name, "garbage"):
                text = text[: max(1, len(text) // 2)] + "\x00<garbage"
            resp.content_type = "application/json"
            resp.text = text
        elif isinstance(body, str):
            resp.content_type = "text/html; charset=utf-8"
            resp.text = body
        else:
            resp.text = ""

    def _route(self, method: str, path: str):
        allowed = False
        for m, rx, handler in self.routes:
            match = rx.match(path)
            if match:
                if m == method:
                    return handler, match.groupdict()
                allowed = True
        if allowed:
            raise HttpError(405, self.error_body(405, "The method is not allowed for the requested URL."))
        raise HttpError(404, self.error_body(404, "The resource could not be found."))


class _Handler(WSGIRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):  # quiet: tests and benchmarks make thousands of calls
        log.debug("%s %s", self.address_string(), fmt % args)

    def setup(self):
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)


class _ThreadingWSGIServer(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128


class HttpServer:
    """Serve one WSGI app on (host, port) in a background thread; port 0 picks a free one."""

    def __init__(self, app, host: str = "127.0.0.1", port: int = 0):
        self.httpd = _ThreadingWSGIServer((host, port), _Handler)
        self.httpd.set_app(app)
        self.host, self.port = host, self.httpd.server_address[1]
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def start(self) -> None:
        self._thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name=f"http-{self.port}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        if self._thread:
            self._thread.join(timeout=5)


def reserve_port(host: str = "127.0.0.1") -> int:
    """A port that is free now (for a service that is down on purpose: listed, but refusing)."""
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]
