"""A page holding only the graph panel, served with the API behind it, for graph tests and the benchmark.

The real console (ui/) serves the panel inside the environment page; this harness serves the
same template and static files with the same Content-Security-Policy, and forwards
`/api/...` to an in-process API as an admin (the console's proxy does the same with the
signed-in user's token). It lets the panel be tested and measured on cliques of any size.
"""

from __future__ import annotations

import mimetypes
import threading
from pathlib import Path
from urllib.parse import parse_qs, quote
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from socketserver import ThreadingMixIn

import jinja2
from falcon import testing
from markupsafe import Markup

from api.app import create_app
from api.settings import Settings
from app.cliques import Cliques, clique_key
from app.inventory import Inventory
from app.links import Links, new_link
from app.paths import place, root
from app.store.keys import stable_id
from app.store.store import Store
from app.topology.summary_store import refresh as refresh_summaries

UI = Path(__file__).resolve().parents[3] / "ui"
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data: blob:; "
       "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'")
PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>graph</title></head>
<body>{{ panel }}<script src="/static/js/keys.js"></script>{% for s in scripts %}<script src="/static/graph/{{ s }}"></script>{% endfor %}</body></html>"""


class _Threads(ThreadingMixIn, WSGIServer):
    daemon_threads = True


class _Quiet(WSGIRequestHandler):
    def log_message(self, *args) -> None:
        pass


class GraphHarness:
    def __init__(self, store: Store, admin_password: str = "Harness-admin-1"):
        self.api = create_app(store, Settings(bcrypt_rounds=4))
        users = self.api.deps.extra["users"]
        if users.coll.find_one({"username": "admin"}) is None:
            users.add("admin", admin_password, admin=True)
        self.client = testing.TestClient(self.api)
        r = self.client.simulate_post("/auth/tokens", json={"auth": {"methods": ["credentials"], "credentials": {
            "username": "admin", "password": admin_password}}})
        self.token = r.json["token"]
        self.jinja = jinja2.Environment(loader=jinja2.FileSystemLoader(str(UI / "templates")), autoescape=True)
        self.server = make_server("127.0.0.1", 0, self.wsgi, server_class=_Threads, handler_class=_Quiet)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def page_url(self, env: str, object_id: str) -> str:
        return f"{self.url}/graph?env={quote(env)}&id={quote(object_id)}"

    def stop(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def wsgi(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        query = environ.get("QUERY_STRING", "")
        if path.startswith("/api/"):
            r = self.client.simulate_get(path[4:], query_string=query, headers={"X-Auth-Token": self.token})
            start_response(f"{r.status_code} X", [("Content-Type", r.headers.get("content-type", "application/json"))])
            return [r.content]
        if path.startswith("/static/"):
            f = (UI / path.lstrip("/")).resolve()
            if UI.resolve() not in f.parents or not f.is_file():
                start_response("404 Not Found", [("Content-Type", "text/plain")])
                return [b"not found"]
            start_response("200 OK", [("Content-Type", mimetypes.guess_type(f.name)[0] or "application/octet-stream")])
            return [f.read_bytes()]
        if path == "/graph":
            q = {k: v[0] for k, v in parse_qs(query).items()}
            env, oid = q.get("env", ""), q.get("id", "")
            panel = self.jinja.get_template("graph_panel.html").render(
                env={"name": env}, obj={"id": oid, "clique": True},
                graph_url=f"/api/clique_graph?env_name={quote(env)}&focal_point_object_id={quote(oid)}",
                object_url=f"/object?env={quote(env)}&id={{id}}", max_nodes=int(q.get("max_nodes", 500)), api_base="/api",
                group=q.get("group", "auto"), highlight=q.get("highlight", ""))
            scripts = sorted(p.name for p in (UI / "static" / "graph").glob("*.js"))   # as the console loads them
            html = self.jinja.from_string(PAGE).render(panel=Markup(panel), scripts=scripts)
            start_response("200 OK", [("Content-Type", "text/html; charset=utf-8"), ("Content-Security-Policy", CSP)])
            return [html.encode()]
        if path == "/favicon.ico":
            start_response("204 No Content", [])
            return [b""]
        if path == "/object":
            start_response("200 OK", [("Content-Type", "text/plain; charset=utf-8")])
            return [("object page " + parse_qs(query).get("id", [""])[0]).encode()]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found"]


def star(store, env: str, hosts: int, vnics_per_host: int, statuses: dict | None = None) -> dict:
    """An instance clique: instance -> vnic (per host) -> vconnector (one per host); statuses by object id."""
    statuses = statuses or {}
    inv = Inventory(store)
    region = place({"id": f"{env}-region", "type": "region"}, root(env), env)
    docs = [region]
    inst = place({"id": f"{env}-vm", "type": "instance", "name": "vm <b>one</b>", "host": f"{env}-h0"}, region, env)
    docs.append(inst)
    plan = []
    for h in range(hosts):
        host = f"{env}-h{h}"
        vc = place({"id": f"{host}-br", "type": "vconnector", "host": host}, region, env)
        docs.append(vc)
        for i in range(vnics_per_host):
            vn = place({"id": f"{host}-tap{i}", "type": "vnic", "host": host, "mac_address": f"fa:16:3e:{h:02x}:00:{i:02x}"},
                       region, env)
            docs.append(vn)
            plan.append((vn["id"], vc["id"]))
    for d in docs:
        if d["id"] in statuses:
            d["status"] = statuses[d["id"]]
    inv.upsert(docs)
    stored = {d["id"]: d for d in inv.find({"environment": env})}
    links = []
    for vn, vc in plan:
        links.append(new_link(env, stored[inst["id"]], stored[vn], "instance-vnic"))
        links.append(new_link(env, stored[vn], stored[vc], "vnic-vconnector"))
    Links(store).upsert(links)
    mine = {vn for vn, _ in plan}
    all_links = [l for l in Links(store).for_env(env) if l["source_id"] in mine or l["target_id"] in mine]
    nodes = {stored[inst["id"]]["_id"]} | {l["source"] for l in all_links} | {l["target"] for l in all_links}
    written({"environment": env, "focal_point": stored[inst["id"]]["_id"], "focal_point_type": "instance",
             "focal_point_object_id": inst["id"], "nodes": list(nodes), "links": [l["_id"] for l in all_links]}, store)
    return {"instance": inst["id"], "objects": len(nodes), "links": len(all_links)}


def scan_into(store: Store, name: str, state_dir, mechanism_driver: str = "ovs", type_driver: str = "vxlan") -> dict:
    """A small simulated cloud (2 computes, 4 instances, 2 networks) scanned into `store`; returns its model."""
    from app.envconfig.repository import EnvironmentConfigs
    from scan.controller import ScanController, ScanOptions
    from tests.scan_support.sim import start_in_process

    sim = start_in_process(name, state_dir, computes=2, instances=4, networks=2,
                           mechanism_driver=mechanism_driver, type_driver=type_driver)
    try:
        EnvironmentConfigs(store).add(sim.env)
        result = ScanController(store, ScanOptions(env=name)).run()
        assert result.status == "completed", result.reason
    finally:
        sim.stop()
    return sim.model



def written(clique: dict, store) -> None:
    """Store a clique as a scan writes it: the clique, then its summary when it is large."""
    Cliques(store).upsert(clique)
    cid = stable_id("cliques", clique_key(clique["environment"], clique["focal_point"]))
    refresh_summaries(store, clique["environment"], [(cid, len(clique["nodes"]))])


def network_clique(store, env: str, hosts: int, statuses: dict | None = None) -> dict:
    """A network clique spread over `hosts` hosts: network -> vNIC -> vConnector -> vEdge -> OTEP on each host
    (4 objects and 4 links per host); statuses by object id."""
    statuses = statuses or {}
    region = place({"id": f"{env}-region", "type": "region"}, root(env), env)
    net = place({"id": f"{env}-net", "type": "network", "name": f"{env} net"}, region, env)
    docs, chains = [region, net], []
    for h in range(hosts):
        host = f"{env}-host-{h:05d}"
        chain = [place({"id": f"{host}-{t}", "type": t, "host": host, "name": f"{t} on {host}"}, region, env)
                 for t in ("vnic", "vconnector", "vedge", "otep")]
        docs += chain
        chains.append(chain)
    for d in docs:
        if d["id"] in statuses:
            d["status"], d["status_value"] = statuses[d["id"]], ("OK", "Warning", "Error").index(statuses[d["id"]])
    Inventory(store).upsert(docs)
    stored = {d["id"]: d for d in Inventory(store).find({"environment": env})}
    links = []
    for chain in chains:
        ends = [stored[net["id"]]] + [stored[c["id"]] for c in chain]
        links += [new_link(env, a, b, f"{a['type']}-{b['type']}") for a, b in zip(ends, ends[1:])]
    Links(store).upsert(links)
    ids = [l["_id"] for l in Links(store).for_env(env)]
    nodes = [stored[d["id"]]["_id"] for d in docs[1:]]
    written({"environment": env, "focal_point": stored[net["id"]]["_id"], "focal_point_type": "network",
             "focal_point_object_id": net["id"], "nodes": nodes, "links": ids}, store)
    return {"network": net["id"], "objects": len(nodes), "links": len(ids)}
