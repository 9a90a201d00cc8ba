"""Dashboard counters, the tree walked down to an instance, the data/graph toggle, search."""

from __future__ import annotations

import time

from tests.integration.ui.conftest import login


def _counts_agree(page, console, card, t: str) -> tuple:
    """(summary count, inventory count, shown count) of type t, read together."""
    expected = console.api_get("admin", "/summary", {"env_name": console.env})["environments"][0]["counts"][t]
    by_type = console.api_get("admin", "/inventory", {"env_name": console.env, "type": t, "page_size": 1000})
    return expected, len(by_type["objects"]), card.locator(f'.cube-n[data-count="{t}"]').inner_text()


def test_dashboard_counters_equal_the_api(page, console, shot):
    login(page, "admin", console.users["admin"])
    card = page.locator(f'.env-card[data-env="{console.env}"]')
    for t in ("instance", "vservice", "host", "vconnector"):
        # the cloud may still be settling from an earlier test's server (the listener applies it): the page
        # follows by itself, so the counts must agree once the live update has arrived (within a few seconds)
        deadline = time.monotonic() + 15
        expected, listed, shown = _counts_agree(page, console, card, t)
        while not (expected == listed and shown == str(expected)) and time.monotonic() < deadline:
            page.wait_for_timeout(500)
            expected, listed, shown = _counts_agree(page, console, card, t)
        assert expected == listed > 0
        assert shown == str(expected)
    assert page.locator(f'.env-card[data-env="{console.other_env}"]').count() == 1   # admin sees both
    shot(page, "dashboard-admin")


def test_tree_walks_down_to_an_instance(page, console, shot):
    login(page, "alice", console.users["alice"])
    page.click(f'#env-cards a[href="/environment/{console.env}"]')
    page.wait_for_selector("#tree li.node")
    rows = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "instance",
                                                    "projection": "name,stale_since"})["objects"]
    instance = next(r for r in rows if not r.get("stale_since"))
    chain = console.api_get("alice", "/tree/path", {"env_name": console.env, "id": instance["id"]})["path"]
    # open each level by its arrow (children load on demand), then select the instance
    for node in chain[:-1]:
        li = page.locator(f'#tree li.node[data-id="{node["id"]}"]').first
        li.locator(":scope > .node-row .twisty").click()
        page.wait_for_selector(f'#tree li.node[data-id="{node["id"]}"][data-loaded="true"]')
    page.locator(f'#tree li.node[data-id="{instance["id"]}"] > .node-row a').click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#object-title").inner_text() == instance["name"]
    crumbs = page.locator("#breadcrumb").inner_text()
    assert all(n["name"] in crumbs for n in chain)
    assert page.locator("#tree li.node.selected").get_attribute("data-id") == instance["id"]
    shot(page, "environment-instance")
    assert page.js_errors == []


def test_ports_in_the_tree_name_their_instance_beside_their_mac(page, console, shot):
    """Loaded on demand (tree.js) and drawn by the server when a port's page opens (tree_node.html)."""
    login(page, "alice", console.users["alice"])
    ports = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "port",
                                                     "projection": "name,device_id,device_owner,stale_since"})["objects"]
    port = next(p for p in ports if str(p.get("device_owner", "")).startswith("compute:") and not p.get("stale_since"))
    vm = console.api_get("alice", "/inventory", {"env_name": console.env, "id": port["device_id"]})
    chain = console.api_get("alice", "/tree/path", {"env_name": console.env, "id": port["id"]})["path"]
    page.goto(f"/environment/{console.env}?selectedNodeId={chain[-2]['id']}")     # the Ports folder
    folder = page.locator(f'#tree li.node[data-id="{chain[-2]["id"]}"]').first
    if folder.locator(":scope > .node-row .twisty").get_attribute("aria-expanded") != "true":
        folder.locator(":scope > .node-row .twisty").click()
    row = page.locator(f'#tree li.node[data-id="{port["id"]}"] > .node-row').first
    row.wait_for()
    assert row.locator(".node-name").inner_text() == port["name"]
    assert row.locator(".node-detail").inner_text() == f"· {vm['name']}"
    page.goto(f"/environment/{console.env}?selectedNodeId={port['id']}")       # drawn by the server
    row = page.locator(f'#tree li.node.selected[data-id="{port["id"]}"] > .node-row').first
    assert row.locator(".node-detail").inner_text() == f"· {vm['name']}"
    shot(page, "tree-ports")
    assert page.js_errors == []


def test_focal_object_opens_on_its_graph_and_toggles_to_data(page, console, shot):
    login(page, "alice", console.users["alice"])
    clique = console.api_get("alice", "/cliques", {"env_name": console.env, "page_size": 1})["cliques"][0]
    focal = console.api_get("alice", "/cliques", {"env_name": console.env, "id": clique["id"]})["focal_point_object_id"]
    page.goto(f"/environment/{console.env}?selectedNodeId={focal}")
    # a focal object opens on its graph; the toggle switches to data and back without a reload
    assert page.locator("#graph-view").is_visible() and not page.locator("#data-view").is_visible()
    page.evaluate("window.__not_reloaded = true")
    shot(page, "environment-focal-graph")
    page.click("#view-data")
    assert page.locator("#data-view").is_visible() and not page.locator("#graph-view").is_visible()
    assert "view=data" in page.url
    shot(page, "environment-focal-data")
    page.click("#view-graph")
    assert page.locator("#graph-view").is_visible() and page.evaluate("window.__not_reloaded") is True
    # a non-focal object opens on its data; its graph view says it has none
    page.goto(f"/environment/{console.env}?selectedNodeId={chain_parent(console, focal)}&view=graph")
    assert page.locator("#graph-no-clique").is_visible()
    assert page.js_errors == []


def chain_parent(console, obj_id: str) -> str:
    return console.api_get("alice", "/tree/path", {"env_name": console.env, "id": obj_id})["path"][-2]["id"]


def test_search_finds_an_object_by_part_of_its_name(page, console, shot):
    login(page, "alice", console.users["alice"])
    instance = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "instance"})["objects"][0]
    page.fill("#search-box", instance["name"][:-1].upper())     # suggestions: names starting with it, any case
    page.wait_for_selector("#search-suggestions li a")
    shot(page, "search-suggestions")
    assert instance["name"] in page.locator("#search-suggestions").inner_text()
    page.fill("#search-box", instance["name"][1:-1].upper())    # the results page: any part of the name
    page.press("#search-box", "Enter")
    page.wait_for_selector("#search-results")
    page.locator("#search-results a", has_text=instance["name"]).first.click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#object-title").inner_text() == instance["name"]
