"""APIC REST over HTTP: aaaLogin/aaaRefresh/aaaLogout, the class queries and MO queries of vim-contract §5.

Login sets the `APIC-cookie` cookie and returns `token` and `urlToken`; every other call needs that cookie
or the `APIC-Challenge` header, else 403 as a real APIC answers. Bodies and errors use the APIC envelope.
"""

from __future__ import annotations

import json
import logging
import re
import secrets
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote, urlparse

from app.logs import register_secret
from simulator.apic.fabric import SPINES, Fabric, build_fabric
from simulator.apic.query import FilterError, parse

log = logging.getLogger(__name__)

USER = "admin"


def envelope(items: list[dict]) -> dict:
    return {"totalCount": str(len(items)), "imdata": items}


def error(code: int, text: str) -> dict:
    return {"totalCount": "1", "imdata": [{"error": {"attributes": {"code": str(code), "text": text}}}]}


class Apic:
    """The answers, independent of HTTP: (status, body, extra headers)."""

    def __init__(self, model, password: str, conditions):
        self.model, self.password, self.conditions = model, password, conditions
        self.tokens: dict[str, str] = {}  # token or urlToken -> user
        self._fabric: tuple[int, Fabric] | None = None
        self._lock = threading.Lock()

    def fabric(self) -> Fabric:
        with self._lock:
            if self._fabric is None or self._fabric[0] != len(self.model.hosts):
                self._fabric = (len(self.model.hosts), build_fabric(self.model))
            return self._fabric[1]

    # -- auth -----------------------------------------------------------------------------------------
    def login(self, body: bytes) -> tuple[int, dict, dict]:
        try:
            attrs = json.loads(body or b"{}")["aaaUser"]["attributes"]
            name, pwd = attrs["name"], attrs["pwd"]
        except (ValueError, KeyError, TypeError):
            return 400, error(400, "Failed to parse login request"), {}
        if name != USER or pwd != self.password or self.conditions.has("apic", "auth"):
            return 401, error(401, "Username or password is incorrect - FAILED local authentication"), {}
        token, url_token = secrets.token_urlsafe(24), secrets.token_urlsafe(16)
        self.tokens[token] = self.tokens[url_token] = name
        body = envelope([{"aaaLogin": {"attributes": {
            "token": token, "urlToken": url_token, "refreshTimeoutSeconds": "600", "maximumLifetimeSeconds": "86400",
            "userName": name, "remoteUser": "false", "sessionId": secrets.token_hex(8), "version": "4.2(7f)",
            "creationTime": str(int(time.time())), "firstLoginTime": str(int(time.time()))}}}])
        return 200, body, {"Set-Cookie": f"APIC-cookie={token}; path=/; HttpOnly"}

    def authorized(self, cookie: str | None, challenge: str | None) -> bool:
        token = None
        for part in (cookie or "").split(";"):
            k, _, v = part.strip().partition("=")
            if k == "APIC-cookie":
                token = v
        return (token is not None and token in self.tokens) or (challenge is not None and challenge in self.tokens)

    # -- queries ----------------------------------------------------------------------------------------
    def get(self, path: str, params: dict[str, str]) -> tuple[int, dict]:
        if path == "/api/aaaRefresh.json":
            return 200, envelope([{"aaaLogin": {"attributes": {"token": "", "urlToken": "", "refreshTimeoutSeconds": "600"}}}])
        m = re.fullmatch(r"/api/class/(\w+)\.json", path)
        if m:
            return self.class_query(m.group(1), params)
        m = re.fullmatch(r"/api/mo/(.+)\.json", path)
        if m:
            return 200, envelope(self.mo_query(m.group(1), params))
        return 400, error(400, f"Request failed, unresolved class for {path.rsplit('/', 1)[-1]}")

    def class_query(self, cls: str, params: dict[str, str]) -> tuple[int, dict]:
        objects = {"epmMacEp": self.epm_mac_eps, "fvCEp": self.client_eps, "fabricNode": self.fabric_nodes,
                   "topSystem": self.top_systems}.get(cls)
        if objects is None:
            return 400, error(400, f"Request failed, unresolved class for {cls}")
        items = objects(params.get("rsp-subtree") == "children")
        flt = params.get("query-target-filter")
        if flt:
            try:
                pred = parse(flt)
            except FilterError:
                return 400, error(400, f"Invalid filter: {flt}")
            items = [i for i in items if pred(next(iter(i.values()))["attributes"])]
        return 200, envelope(items)

    def epm_mac_eps(self, children: bool) -> list[dict]:
        return [{"epmMacEp": {"attributes": {
            "addr": e.mac, "ifId": e.port, "flags": "ip,local,mac", "createTs": "2030-01-01T00:00:00.000+00:00",
            "dn": f"topology/pod-1/node-{e.leaf}/sys/ctx-[vxlan-2883584]/bd-[vxlan-15925207]/vlan-[vlan-{e.vlan}]"
                  f"/db-ep/mac-{e.mac}"}}} for e in self.fabric().endpoints]

    def client_eps(self, children: bool) -> list[dict]:
        out = []
        for e in self.fabric().endpoints:
            item = {"attributes": {"dn": f"uni/tn-calipso/ap-hosts/epg-{e.host}/cep-{e.mac}", "mac": e.mac,
                                   "ip": "0.0.0.0", "name": e.mac, "encap": f"vlan-{e.vlan}"}}
            if children:
                tdn = f"topology/pod-1/paths-{e.leaf}/pathep-[{e.port}]"
                item["children"] = [{"fvRsCEpToPathEp": {"attributes": {"tDn": tdn,
                                                                         "rn": f"rscEpToPathEp-[{tdn}]"}}}]
            out.append({"fvCEp": item})
        return out

    def fabric_nodes(self, children: bool) -> list[dict]:
        nodes = [{"fabricNode": {"attributes": {"dn": f"topology/pod-1/node-{n}", "id": str(n), "name": f"Leaf-{n}",
                                                "role": "leaf", "serial": f"SAL{n:08d}"}}} for n in self.fabric().leaves]
        nodes += [{"fabricNode": {"attributes": {"dn": f"topology/pod-1/node-{n}", "id": str(n),
                                                 "name": f"Spine-{n}", "role": "spine", "serial": f"SAL{n:08d}"}}}
                  for n in SPINES]
        return nodes

    def top_systems(self, children: bool) -> list[dict]:
        return [self._top_system(n) for n in [*self.fabric().leaves, *SPINES]]

    def _top_system(self, node: int) -> dict:
        role = "spine" if node in SPINES else "leaf"
        return {"topSystem": {"attributes": {"dn": f"topology/pod-1/node-{node}/sys", "id": str(node),
                                             "name": f"{role.capitalize()}-{node}", "role": role,
                                             "address": f"10.0.16.{node % 250}", "serial": f"SAL{node:08d}",
                                             "podId": "1", "fabricId": "1"}}}

    def mo_query(self, dn: str, params: dict[str, str]) -> list[dict]:
        fabric = self.fabric()
        dn = unquote(dn)
        m = re.fullmatch(r"topology/pod-1/node-(\d+)/sys", dn)
        if m:
            node = int(m.group(1))
            if node not in fabric.leaves and node not in SPINES:
                return []
            if params.get("query-target") == "subtree" and params.get("target-subtree-class") == "lldpAdjEp":
                if node not in fabric.leaves:
                    return []
                return [{"lldpAdjEp": {"attributes": {
                    "dn": f"topology/pod-1/node-{node}/sys/lldp/inst/if-[{leaf_port}]/adj-1",
                    "portDesc": f"topology/pod-1/paths-{spine}/pathep-[{spine_port}]",
                    "sysName": f"Spine-{spine}", "sysDesc": f"topology/pod-1/node-{spine}",
                    "chassisIdV": f"50:87:89:d4:{spine % 256:02x}:12"}}}
                        for leaf_port, spine, spine_port in fabric.leaf_uplinks(node)]
            return [self._top_system(node)]
        m = re.fullmatch(r"topology/pod-1/node-(\d+)/sys/phys-\[(eth\d+/\d+)\]", dn)
        if m and (int(m.group(1)) in fabric.leaves or int(m.group(1)) in SPINES):
            return [{"l1PhysIf": {"attributes": {"dn": dn, "id": m.group(2), "adminSt": "up", "mode": "trunk",
                                                 "speed": "10G", "layer": "Layer2", "usage": "epg"}}}]
        return []


def _handler(apic: Apic, conditions):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def setup(self) -> None:
            super().setup()  # headers and body are two writes: without NODELAY each reply waits ~40 ms
            self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

        def log_message(self, fmt, *args) -> None:  # requests carry tokens: keep them out of the logs
            return

        def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
            data = json.dumps(body).encode()
            if conditions.has("apic", "garbage"):
                data = data[: len(data) // 2]
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            for k, v in (headers or {}).items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(data)

        def _wait(self) -> None:
            conditions.wait("api", "apic")

        def do_POST(self) -> None:
            self._wait()
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            path = urlparse(self.path).path
            if path == "/api/aaaLogin.json":
                self._send(*apic.login(body))
            elif path == "/api/aaaLogout.json":
                self._send(200, envelope([]))
            else:
                self._send(400, error(400, "Request failed, unresolved class for " + path.rsplit("/", 1)[-1]))

        def do_GET(self) -> None:
            self._wait()
            url = urlparse(self.path)
            if not apic.authorized(self.headers.get("Cookie"), self.headers.get("APIC-Challenge")):
                self._send(403, error(403, "Token was invalid (Error: Token timeout)"))
                return
            params = {k: v[-1] for k, v in parse_qs(url.query, keep_blank_values=True).items()}
            self._send(*apic.get(url.path, params))

    return Handler


class APICServer:
    """`Cls(model, options)` for `simulator.servers` (runs only with `--aci`)."""

    def __init__(self, model, options):
        self.model, self.options = model, options
        self.password = options.extra.get("apic_password") or secrets.token_urlsafe(12)
        register_secret(self.password)
        self.apic = Apic(model, self.password, options.conditions)
        self._httpd: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self.port = 0

    def start(self) -> None:
        conditions = self.options.conditions
        httpd = ThreadingHTTPServer((self.options.bind, int(self.options.extra.get("apic_port", 0))),
                                    _handler(self.apic, conditions))
        httpd.daemon_threads = True
        self.port = httpd.server_address[1]
        if conditions.has("apic", "down"):
            httpd.server_close()
            return
        self._httpd = httpd
        self._thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.2},
                                        name="sim-apic", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._httpd is not None:
            self._httpd.shutdown()
            self._httpd.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def config_section(self) -> dict:
        return {"host": self.options.host, "port": self.port, "user": USER, "pwd": self.password, "protocol": "http"}
