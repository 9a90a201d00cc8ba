"""A host's graph from the tree and from a node's card; the original console's ObjectId links; the
keyboard on suggestion lists and menus; the environment page at 800x600."""

from __future__ import annotations

from tests.integration.ui.conftest import login, open_tree_to

READY = "#calipso-graph[data-state=ready]"


def test_a_host_graph_from_the_tree_holds_what_runs_on_it(page, console, shot):
    login(page, "alice", console.users["alice"])
    hosts = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "host"})["objects"]
    instance = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "instance"})["objects"][0]
    instance = console.api_get("alice", "/inventory", {"env_name": console.env, "id": instance["id"]})
    host = next(h for h in hosts if h["id"] == instance["host"])
    page.goto(f"/environment/{console.env}")
    open_tree_to(page, console, "alice", host["id"])
    page.locator(f'#tree li.node[data-id="{host["id"]}"] > .node-row a').click()
    page.wait_for_load_state("domcontentloaded")
    page.click("#view-graph")
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    types = set(page.evaluate("() => calipsoGraph.cy.nodes('.obj').map(n => n.data('type'))"))
    assert {"host", "instance", "vnic", "vedge"} <= types and not any(t.endswith("_folder") for t in types)
    names = page.evaluate("() => calipsoGraph.cy.nodes('.obj').map(n => n.data('api').object_id)")
    assert instance["id"] in names
    shot(page, "host-graph")
    assert page.js_errors == []


def test_a_node_card_leads_to_its_host_graph(page, console):
    login(page, "alice", console.users["alice"])
    clique = next(c for c in console.api_get("alice", "/cliques", {"env_name": console.env})["cliques"]
                  if c["focal_point_type"] == "instance")
    page.goto(f"/environment/{console.env}?selectedNodeId={clique['focal_point_object_id']}")
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    vnic = page.evaluate("""() => { const n = calipsoGraph.cy.nodes('[type = "vnic"]')[0];
        const p = n.renderedPosition(), r = document.querySelector('.cg-canvas').getBoundingClientRect();
        return [p.x + r.left, p.y + r.top, n.data('api').host]; }""")
    page.mouse.click(vnic[0], vnic[1])
    link = page.locator(".cg-card.pinned a", has_text=f"Graph of host {vnic[2]}")
    link.wait_for()
    page.keyboard.press("Escape")
    assert page.locator(".cg-card").is_hidden()
    page.mouse.click(vnic[0], vnic[1])
    link.click()
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    assert page.locator("#object-title").inner_text() == vnic[2]
    assert "host_graph" in page.get_attribute("#calipso-graph", "data-graph-url")


def test_the_original_consoles_objectid_links_open_the_same_page(page, console):
    env_oid = str(console.store["environments_config"].find_one({"name": console.env})["_id"])
    obj = console.store["inventory"].find_one({"environment": console.env, "type": "instance"})
    login(page, "alice", console.users["alice"])
    page.goto(f"/environment/{env_oid}?selectedNodeId={obj['_id']}")
    assert page.url.endswith(f"/environment/{console.env}?selectedNodeId={obj['id']}")
    assert page.locator("#object-title").inner_text() == (obj.get("object_name") or obj["name"])
    page.goto(f"/environment/{env_oid}")
    assert page.url.endswith(f"/environment/{console.env}")
    page.goto(f"/environment/{console.env}?selectedNodeId={obj['_id']}")
    assert page.url.endswith(f"selectedNodeId={obj['id']}")
    # an environment the user may not view stays a 404, whichever way it is named
    other = str(console.store["environments_config"].find_one({"name": console.other_env})["_id"])
    assert page.goto(f"/environment/{other}").status == 404


def test_suggestions_are_chosen_with_the_keyboard_and_menus_close(page, console):
    login(page, "alice", console.users["alice"])
    instance = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "instance"})["objects"][0]
    page.goto("/Dashboard")
    page.fill("#search-box", instance["name"])
    page.wait_for_selector("#search-suggestions li a")
    page.keyboard.press("ArrowDown")
    assert page.locator("#search-suggestions li.active").count() == 1
    page.keyboard.press("Enter")
    page.wait_for_url("**selectedNodeId=*")
    assert page.locator("#object-title").inner_text() == instance["name"]
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    page.click(".cg-export summary")
    assert page.locator(".cg-export").get_attribute("open") is not None
    page.keyboard.press("Escape")
    assert page.locator(".cg-export").get_attribute("open") is None
    page.click(".cg-export summary")
    page.click("#object-title")
    assert page.locator(".cg-export").get_attribute("open") is None


def test_at_800_pixels_the_graph_comes_first_and_nothing_overflows(page, console, shot):
    page.set_viewport_size({"width": 800, "height": 600})
    login(page, "alice", console.users["alice"])
    clique = console.api_get("alice", "/cliques", {"env_name": console.env})["cliques"][0]
    page.goto(f"/environment/{console.env}?selectedNodeId={clique['focal_point_object_id']}&view=graph")
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    graph = page.locator("#calipso-graph").bounding_box()
    tree = page.locator("#tree-panel").bounding_box()
    assert 0 <= graph["y"] < 600 and graph["y"] < tree["y"]
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 800
    shot(page, "environment-800")
    page.goto("/scans-list")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 800


def test_references_show_names_and_objects_are_picked_by_name(page, console):
    login(page, "erin", console.users["erin"])
    vnic = console.api_get("erin", "/inventory", {"env_name": console.env, "type": "vnic"})["objects"][0]
    vnic = console.api_get("erin", "/inventory", {"env_name": console.env, "id": vnic["id"]})
    page.goto(f"/environment/{console.env}?selectedNodeId={vnic['id']}&view=data")
    host_row = page.locator(".details dl.kv div", has=page.locator("dt", has_text="host"))
    assert host_row.locator("a").inner_text() == vnic["host"]
    parent = console.api_get("erin", "/inventory", {"env_name": console.env, "id": vnic["parent_id"]})
    parent_row = page.locator(".details dl.kv div", has=page.locator("dt", has_text="parent_id"))
    assert parent_row.locator("a").inner_text() == (parent.get("object_name") or parent["name"])
    parent_row.locator("a").click()
    page.wait_for_load_state("domcontentloaded")
    assert page.locator("#object-title").inner_text() == (parent.get("object_name") or parent["name"])
    # "scan one object" asks for an id: a name typed there is offered as objects to choose, with the keyboard
    instance = console.api_get("erin", "/inventory", {"env_name": console.env, "type": "instance"})["objects"][0]
    page.goto(f"/new-scanning?env={console.env}")
    page.fill("input[name=object_id]", instance["name"])
    page.wait_for_selector(".picker-suggestions li button")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    assert page.input_value("input[name=object_id]") == instance["id"]
    assert instance["name"] in page.inner_text(".picker-chosen")
