"""/path and the exports (?format=) of /path, /clique_graph and /diff: the route contract, paths on scanned
simulated clouds checked against the simulator's model, no-path answers, and files that networkx,
Graphviz's `dot` and an XML parser (draw.io) read. Also `calipso path` as an operator runs it.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx
import pytest

from app.inventory import Inventory
from app.paths import place, root
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from tests.conftest import CI
from tests.integration.api.contract import Case, RouteContract, q
from tests.integration.ui.graph_harness import scan_into

ROOT = Path(__file__).resolve().parents[3]


class TestPathContract(RouteContract):
    path = "/path"
    cases = {"GET": Case(q("env_name={env}&source={host}&target={vnic}"))}
    invalid = [("GET", "env_name={env}&target=x", "source"), ("GET", "env_name={env}&source=x", "target"),
               ("GET", "env_name={env}&source=x&target=y&format=pdf", "format"),
               ("GET", "env_name={env}&source=no-such&target=y", "source"),
               ("GET", "env_name={env}&source=$x&target=y", "source")]


def test_path_over_a_seeded_link(api):
    d = api.data["visible"]
    r = api.get("/path", user="alice", query=f"env_name=visible&source={d['host']}&target={d['vnic']}")
    assert r.status_code == 200, r.text
    p = r.json
    assert p["found"] and [n["object_id"] for n in p["nodes"]] == [d["host"], d["vnic"]]
    assert p["hops"][0]["kind"] == "link" and p["hops"][0]["link_type"] == "vnic-vconnector"


def scanned(store_uri, tmp_path_factory, md: str, td: str):
    name = f"path-{md}-{td}"
    store = Store.connect(StoreLocation(f"{store_uri}p_{uuid.uuid4().hex[:10]}", "path test", embedded=True))
    init_db(store)
    model = scan_into(store, name, tmp_path_factory.mktemp(name), md, td)
    yield store, name, model
    store.client.drop_database(store.db.name)
    store.close()


@pytest.fixture(scope="module")
def ovs(store_uri, tmp_path_factory):
    yield from scanned(store_uri, tmp_path_factory, "ovs", "vxlan")


@pytest.fixture(scope="module")
def lxb(store_uri, tmp_path_factory):
    yield from scanned(store_uri, tmp_path_factory, "linuxbridge", "vlan")


def _api_on(api, store):
    """The module's API app reading another store (same code, the scanned cloud's data)."""
    from falcon import testing

    from api.app import create_app
    from api.settings import Settings

    app = create_app(store, Settings(bcrypt_rounds=4))
    if app.deps.extra["users"].coll.find_one({"username": "admin"}) is None:
        app.deps.extra["users"].add("admin", "Admin-pass-1", admin=True)
    return testing.TestClient(app), api.basic("admin", "Admin-pass-1")


def two_instances(store, env):
    insts = sorted(store["inventory"].find({"environment": env, "type": "instance"}), key=lambda d: d["id"])
    a = insts[0]
    b = next(i for i in insts if i["host"] != a["host"])
    return a, b


def _check_against_model(store, p: dict, model: dict, a: dict, b: dict) -> None:
    """The ends are on the hosts the simulator placed them; each vNIC is a port of its instance in the model;
    every hop joins the objects before and after it."""
    servers = {s["id"]: s for s in model["instances"]}
    macs = {pt["id"]: pt["mac_address"] for pt in model["ports"]}
    assert p["nodes"][0]["object_id"] == a["id"] and p["nodes"][-1]["object_id"] == b["id"]
    assert servers[a["id"]]["host"] == a["host"] and servers[b["id"]]["host"] == b["host"]
    vnics = [p["nodes"][1], p["nodes"][-2]]   # the instances' own vNICs (a router's may be between them)
    assert [v["type"] for v in vnics] == ["vnic", "vnic"]
    assert [v["host"] for v in vnics] == [a["host"], b["host"]]
    for v, inst in zip(vnics, (a, b)):
        mac = store["inventory"].find_one({"environment": p["environment"], "type": "vnic", "id": v["object_id"]})["mac_address"]
        assert mac in {macs[i] for i in servers[inst["id"]]["port_ids"]}
    for hop, (x, y) in zip(p["hops"], zip(p["nodes"], p["nodes"][1:])):
        assert (hop["from"], hop["to"]) == (x["id"], y["id"])


def test_ovs_vxlan_path_goes_through_both_vnics_vedges_and_oteps(api, ovs):
    store, env, model = ovs
    a, b = two_instances(store, env)
    client, auth = _api_on(api, store)
    r = client.simulate_get("/path", query_string=f"env_name={env}&source={a['id']}&target={b['id']}", headers=auth)
    assert r.status_code == 200, r.text
    p = r.json
    assert p["found"], p
    _check_against_model(store, p, model, a, b)
    for t in ("vnic", "vedge", "otep"):
        assert sorted(n["host"] for n in p["nodes"] if n["type"] == t)[:1] == [min(a["host"], b["host"])]
        assert {a["host"], b["host"]} <= {n["host"] for n in p["nodes"] if n["type"] == t}, t
    assert {h["kind"] for h in p["hops"]} == {"link", "tunnel"}   # across hosts by the OTEPs' own tunnels
    assert all(h["network"] and h["segment"].startswith("vxlan ") for h in p["hops"])
    Inventory(store).set_fields(env, "otep", next(n for n in p["nodes"] if n["type"] == "otep")["object_id"],
                                {"status": "Warning"})
    again = client.simulate_get("/path", query_string=f"env_name={env}&source={a['id']}&target={b['id']}",
                                headers=auth).json
    assert again["worst_status"] == "Warning"


def test_linuxbridge_vlan_path_goes_through_both_pnics(api, lxb):
    store, env, model = lxb
    a, b = two_instances(store, env)
    client, auth = _api_on(api, store)
    p = client.simulate_get("/path", query_string=f"env_name={env}&source={a['id']}&target={b['id']}",
                            headers=auth).json
    assert p["found"], p
    _check_against_model(store, p, model, a, b)
    pnic_hosts = {n["host"] for n in p["nodes"] if n["type"] == "host_pnic"}
    assert {a["host"], b["host"]} <= pnic_hosts
    hosts = sorted(store["inventory"].find({"environment": env, "type": "host"}), key=lambda d: d["id"])
    hp = client.simulate_get("/path", query_string=f"env_name={env}&source={hosts[0]['id']}&target={hosts[1]['id']}",
                             headers=auth).json
    assert hp["found"] and hp["hops"][0]["kind"] == "containment" and hp["nodes"][1]["type"] == "host_pnic"


def test_no_path_says_where_each_side_stops(api, lxb):
    store, env, _ = lxb
    a, _b = two_instances(store, env)
    lone = place({"id": "lone-vnic", "type": "vnic", "host": "nowhere"}, root(env), env)
    Inventory(store).upsert([lone])
    client, auth = _api_on(api, store)
    p = client.simulate_get("/path", query_string=f"env_name={env}&source={a['id']}&target=lone-vnic",
                            headers=auth).json
    assert p["found"] is False and p["hops"] == []
    source_side, target_side = p["stops"]
    assert source_side["reached"] > 1 and source_side["farthest"]
    assert target_side["reached"] == 1 and target_side["farthest"][0]["object_id"] == "lone-vnic"


def test_exports_open_in_networkx_graphviz_and_as_drawio_xml(api, ovs, tmp_path):
    store, env, _ = ovs
    a, b = two_instances(store, env)
    client, auth = _api_on(api, store)
    p = client.simulate_get("/path", query_string=f"env_name={env}&source={a['id']}&target={b['id']}", headers=auth).json
    base = f"env_name={env}&source={a['id']}&target={b['id']}"
    clique = f"env_name={env}&focal_point_object_id={a['id']}"
    graph = client.simulate_get("/clique_graph", query_string=clique, headers=auth).json
    # a path may pass an object twice (a network node's vEdge, in and out of its router): one node each
    path_nodes, path_edges = len({n["id"] for n in p["nodes"]}), len({(h["from"], h["to"]) for h in p["hops"]})
    for route, query, nodes, links in (("/path", base, path_nodes, path_edges),
                                       ("/clique_graph", clique, len(graph["nodes"]), len(graph["links"]))):
        gm = client.simulate_get(route, query_string=query + "&format=graphml", headers=auth)
        assert gm.status_code == 200 and gm.headers["content-type"].startswith("application/graphml+xml")
        assert "attachment" in gm.headers["content-disposition"]
        (tmp_path / "g.graphml").write_text(gm.text)
        g = networkx.read_graphml(tmp_path / "g.graphml")
        assert g.number_of_nodes() == nodes and g.number_of_edges() == links
        assert {d["type"] for _, d in g.nodes(data=True)} >= {"instance", "vnic"}
        dot_text = client.simulate_get(route, query_string=query + "&format=dot", headers=auth).text
        _dot_renders(dot_text, tmp_path)
        drawio = ET.fromstring(client.simulate_get(route, query_string=query + "&format=drawio", headers=auth).text)
        cells = drawio.findall(".//mxCell")
        assert sum(1 for c in cells if c.get("vertex") == "1") == nodes
        assert sum(1 for c in cells if c.get("edge") == "1") == links
    d = client.simulate_get("/diff", query_string=f"env_name={env}&from=2000-01-01T00:00:00Z&format=graphml",
                            headers=auth)
    assert d.status_code == 200, d.text
    (tmp_path / "d.graphml").write_text(d.text)
    assert networkx.read_graphml(tmp_path / "d.graphml").number_of_nodes() > 0   # the whole first scan was added


def _dot_renders(text: str, tmp_path: Path) -> None:
    if shutil.which("dot") is None:
        if CI:
            pytest.fail("Graphviz's dot is not installed, and CI=true forbids skipping")
        pytest.skip("Graphviz's dot is not installed (apt-get install graphviz)")
    res = subprocess.run(["dot", "-Tsvg"], input=text, capture_output=True, text=True, timeout=60)
    assert res.returncode == 0, res.stderr
    ET.fromstring(res.stdout)


def test_calipso_path_command(ovs, tmp_path):
    store, env, _ = ovs
    a, b = two_instances(store, env)
    cli_env = {**os.environ, "CALIPSO_MONGO_URI": _uri(store)}
    run = lambda *args: subprocess.run([sys.executable, "-m", "app.cli.main", "path", "-e", env, *args], env=cli_env,
                                       cwd=ROOT, capture_output=True, text=True, timeout=120)
    out = run(a["id"], b["id"])
    assert out.returncode == 0, out.stderr
    assert "hops, worst status" in out.stdout and "--instance-vnic" in out.stdout and "otep" in out.stdout
    gm = run(a["id"], b["id"], "--format", "graphml")
    (tmp_path / "p.graphml").write_text(gm.stdout)
    assert networkx.read_graphml(tmp_path / "p.graphml").number_of_nodes() >= 10
    diff = subprocess.run([sys.executable, "-m", "app.cli.main", "diff", "-e", env, "--from", "2000-01-01T00:00:00Z",
                           "--format", "dot"], env=cli_env, cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert diff.returncode == 0, diff.stderr
    _dot_renders(diff.stdout, tmp_path)
    missing = run(a["id"], "no-such-object")
    assert missing.returncode == 2 and "target: no object with id or name 'no-such-object'" in missing.stderr
    by_name = run(a["name"], b["name"])       # operators know servers by name: the same path as by id
    assert by_name.returncode == 0, by_name.stderr
    assert by_name.stdout == out.stdout
    names = store["inventory"].aggregate([{"$match": {"environment": env}},
                                          {"$group": {"_id": "$name", "n": {"$sum": 1}}}])
    shared = next(g for g in names if g["n"] > 1 and isinstance(g["_id"], str))
    twice = run(shared["_id"], b["id"])       # a name several objects share is refused, never picked silently
    assert twice.returncode == 2 and f"objects are named {shared['_id']!r}" in twice.stderr
    assert "give the id of one" in twice.stderr


def _uri(store) -> str:
    host, port = store.client.address
    return f"mongodb://{host}:{port}/{store.db.name}"
