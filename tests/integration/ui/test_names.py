"""Object pages show every id as its object's name, linked to it (one /names read per page); ids that name
nothing stay text; hostile names stay text."""

from __future__ import annotations

import re

import pytest

from app.inventory import Inventory
from app.paths import place, root
from tests.integration.ui.axe import assert_accessible
from tests.integration.ui.conftest import login

HOSTILE = "<img src=x onerror=window.__pwned=1>"


@pytest.fixture
def seeded(console):
    """A network with a hostile name and a port that refers to it (and to things that are not there) in the
    second environment; taken away afterwards (other tests count that environment's tree)."""
    env = console.other_env
    inv = Inventory(console.store)
    region = place({"id": "bravo-region", "type": "region", "name": "bravo-region"}, root(env), env)
    net = place({"id": "bravo-net-x", "type": "network", "name": HOSTILE}, region, env)
    port = place({"id": "bravo-port-x", "type": "port", "object_name": "fa:16:3e:00:00:aa", "host": "bravo-host-1",
                  "network": ["bravo-net-x", "no-such-network"], "network_id": "bravo-net-x",
                  "device_id": "bravo-secret-vm", "security_groups": ["sg-that-is-not-an-object"]}, net, env)
    inv.upsert([net, port])
    yield env
    console.store["inventory"].delete_many({"environment": env, "id": {"$in": ["bravo-net-x", "bravo-port-x"]}})


def row(page, where: str, field: str):
    return page.locator(f"{where} > div").filter(has=page.locator("dt", has_text=re.compile(f"^{field}$")))


def test_ids_on_an_object_page_are_names_that_link_to_their_objects(page, console, seeded, shot):
    login(page, "admin", console.users["admin"])
    page.goto(f"/environment/{seeded}?selectedNodeId=bravo-port-x&view=data")
    highlights, related = ".details dl.kv:not(#related)", "#related"
    host = row(page, highlights, "host").locator("a.ref")
    assert host.inner_text() == "bravo-host-1" and host.get_attribute("href") == "?selectedNodeId=bravo-host-1"
    parent = row(page, highlights, "parent_id").locator("a.ref")
    assert parent.inner_text() == HOSTILE                        # the name, as text
    assert "bravo-net-x" in parent.get_attribute("title")        # the id stays at hand
    # a list of ids: each named one a link, the one naming nothing as text
    network = row(page, highlights, "network")
    assert network.locator("a.ref").count() == 1 and network.locator("a.ref").inner_text() == HOSTILE
    assert "no-such-network" in network.inner_text()
    # the other fields that name objects are listed under the highlights
    assert row(page, related, "network_id").locator("a.ref").inner_text() == HOSTILE
    device = row(page, related, "device_id").locator("a.ref")
    assert device.inner_text() == "bravo-secret-vm"
    assert page.locator("#related dt", has_text="security_groups").count() == 0   # names nothing: not a reference
    assert page.locator("#data-view img").count() == 0 and page.evaluate("window.__pwned") is None
    shot(page, "object-page-names", full_page=True)
    assert_accessible(page, "an object page with named references")
    device.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#object-title").inner_text() == "bravo-secret-vm"
    assert page.js_errors == []


def test_a_scanned_port_names_its_network(page, console):
    login(page, "alice", console.users["alice"])
    ports = console.api_get("alice", "/inventory",
                            {"env_name": console.env, "type": "port", "page_size": 50})["objects"]
    port = next(p for p in (console.api_get("alice", "/inventory", {"env_name": console.env, "id": p["id"]})
                            for p in ports) if p.get("network_id"))
    net = console.api_get("alice", "/inventory", {"env_name": console.env, "id": port["network_id"]})
    page.goto(f"/environment/{console.env}?selectedNodeId={port['id']}&view=data")
    link = page.locator(f'.details a.ref[href="?selectedNodeId={port["network_id"]}"]').first
    assert link.inner_text() == (net.get("object_name") or net["name"])
    assert page.js_errors == []
