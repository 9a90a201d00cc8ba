"""/names: the names of many inventory ids in one read, for pages that show ids as names."""

from __future__ import annotations

from app.inventory import Inventory
from app.paths import place, root
from tests.integration.api.contract import Case, RouteContract, q


class TestNamesContract(RouteContract):
    path = "/names"
    cases = {"GET": Case(q("env_name={env}&id={host}&id={vnic}"))}
    invalid = [("GET", "env_name={env}", "id"), ("GET", "id=x", "env_name"), ("GET", "env_name={env}&id=$where", "id")]


def test_names_many_ids_at_once_and_leaves_unknown_ones_out(api):
    env = "visible"
    region = place({"id": "RegionOne", "type": "region"}, root(env), env)
    net = place({"id": "net-uuid-9", "type": "network", "name": "<img src=x onerror=alert(1)>"}, region, env)
    port = place({"id": "port-uuid-9", "type": "port", "object_name": "fa:16:3e:00:00:99"}, net, env)
    Inventory(api.store).upsert([region, net, port])
    r = api.get("/names", user="alice", query=f"env_name={env}&id=net-uuid-9&id=port-uuid-9&id=no-such-id")
    assert r.status_code == 200, r.text
    assert r.json["names"] == {"net-uuid-9": {"name": "<img src=x onerror=alert(1)>", "type": "network"},
                               "port-uuid-9": {"name": "fa:16:3e:00:00:99", "type": "port"}}


def test_ids_of_another_environment_are_not_named(api):
    env = "hidden"
    region = place({"id": "RegionOne", "type": "region"}, root(env), env)
    Inventory(api.store).upsert([region, place({"id": "secret-net", "type": "network", "name": "secret"}, region, env)])
    r = api.get("/names", user="admin", query="env_name=visible&id=secret-net")
    assert r.status_code == 200 and r.json["names"] == {}
