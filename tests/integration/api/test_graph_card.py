"""/graph_card: one graph element's hover card, read when pointed at, with the ids it shows named."""

from __future__ import annotations

from app.inventory import Inventory
from app.links import Links, new_link
from app.paths import place, root
from tests.integration.api.contract import Case, RouteContract, q

NO_OID = "0123456789abcdef01234567"


class TestGraphCardContract(RouteContract):
    path = "/graph_card"
    cases = {"GET": Case(q("env_name={env}&id={focal_point}"))}
    invalid = [("GET", "env_name={env}&id=zz", "id"), ("GET", "env_name={env}", "id"), ("GET", "id=" + NO_OID, "env_name")]


def _port_and_network(store, env: str) -> tuple[dict, dict]:
    region = place({"id": "RegionOne", "type": "region"}, root(env), env)
    net = place({"id": "5e1f-uuid-of-net", "type": "network", "name": "tenant net <b>blue</b>"}, region, env)
    port = place({"id": "port-uuid-1", "type": "port", "network_id": net["id"], "mac_address": "fa:16:3e:aa:bb:cc",
                  "object_name": "fa:16:3e:aa:bb:cc"}, net, env)
    inv = Inventory(store)
    inv.upsert([region, net, port])
    return inv.get(env, port["id"]), inv.get(env, net["id"])


def test_card_names_the_ids_it_shows(api):
    env = "visible"
    port, net = _port_and_network(api.store, env)
    r = api.get("/graph_card", user="alice", query=f"env_name={env}&id={port['_id']}")
    assert r.status_code == 200, r.text
    card = r.json
    assert card["kind"] == "object" and card["type"] == "port" and card["object_id"] == "port-uuid-1"
    rows = {row[0]: row for row in card["rows"]}
    assert rows["mac_address"][1] == "fa:16:3e:aa:bb:cc" and len(rows["mac_address"]) == 2   # not an id: plain
    assert rows["network_id"][1] == net["id"]
    assert rows["network_id"][2] == {net["id"]: {"name": "tenant net <b>blue</b>", "type": "network"}}


def test_link_card_names_both_ends(api):
    env = "visible"
    port, net = _port_and_network(api.store, env)
    Links(api.store).upsert([new_link(env, net, port, link_type="network-port")])
    link = next(l for l in Links(api.store).for_env(env) if l["link_type"] == "network-port")
    card = api.get("/graph_card", user="alice", query=f"env_name={env}&id={link['_id']}").json
    assert card["kind"] == "link" and card["type"] == "link"
    rows = {row[0]: row for row in card["rows"]}
    assert rows["source"][2][net["id"]]["name"] == "tenant net <b>blue</b>"
    assert rows["target"][2][port["id"]]["type"] == "port"
    assert rows["link_type"][1] == "network-port"


def test_card_of_another_environments_object_is_not_found(api):
    port, _ = _port_and_network(api.store, "hidden")
    r = api.get("/graph_card", user="admin", query=f"env_name=visible&id={port['_id']}")
    assert r.status_code == 404
    assert api.get("/graph_card", user="admin", query=f"env_name=visible&id={NO_OID}").status_code == 404
