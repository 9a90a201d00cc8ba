"""The graph inside the console's environment page: a focal instance opens on exactly its clique, the
data/graph toggle keeps it drawn, a monitoring change recolours it live, a non-focal object says so."""

from __future__ import annotations

from app.inventory import Inventory
from app.messages import Messages
from tests.integration.ui.conftest import eventually, login

READY = "#calipso-graph[data-state=ready]"


def focal_instance(console, user: str = "alice") -> dict:
    """An instance with a clique; a vService or network when the scan found none (then test_graph_panel.py,
    on its own scanned cloud, is where instance cliques are checked)."""
    cliques = console.api_get(user, "/cliques", {"env_name": console.env})["cliques"]
    order = {"instance": 0, "vservice": 1, "network": 2}
    best = min(cliques, key=lambda c: order.get(c["focal_point_type"], 9))
    return console.api_get(user, "/inventory", {"env_name": console.env, "id": best["focal_point_object_id"]})


def open_instance(page, console, obj: dict) -> None:
    page.goto(f"/environment/{console.env}?selectedNodeId={obj['id']}")
    page.wait_for_selector(READY, state="attached", timeout=60_000)


def test_instance_graph_is_its_clique_and_survives_the_toggle(page, console, shot):
    login(page, "alice", console.users["alice"])
    obj = focal_instance(console)
    open_instance(page, console, obj)
    want = console.api_get("alice", "/clique_graph", {"env_name": console.env, "focal_point_object_id": obj["id"]})
    drawn = page.evaluate("() => [calipsoGraph.cy.nodes('.obj').map(n => n.id()).sort(), "
                          "calipsoGraph.cy.edges().not('.meta').map(e => e.id().slice(5)).sort()]")
    assert drawn[0] == sorted(n["id"] for n in want["nodes"]) and len(drawn[0]) == want["total"]["nodes"]
    assert drawn[1] == sorted(l["id"] for l in want["links"]) and len(drawn[1]) == want["total"]["links"]
    assert page.locator(".cg-summary").inner_text().startswith(f"{len(drawn[0])} objects, {len(drawn[1])} links")
    shot(page, "graph-in-environment")
    page.click("#view-data")
    assert page.locator("#data-view").is_visible() and not page.locator("#calipso-graph").is_visible()
    page.click("#view-graph")
    assert page.locator("#calipso-graph").is_visible()
    size = page.evaluate("() => [calipsoGraph.cy.width(), calipsoGraph.cy.height()]")
    assert size[0] > 300 and size[1] > 300
    assert page.evaluate("() => calipsoGraph.cy.nodes('.obj').filter(n => n.visible()).length") == len(drawn[0])
    assert page.js_errors == []


def test_monitoring_change_recolours_the_open_graph(page, console):
    login(page, "admin", console.users["admin"])
    obj = focal_instance(console, "admin")
    open_instance(page, console, obj)
    page.evaluate("window.__not_reloaded = true")
    vnic = page.evaluate("() => calipsoGraph.cy.nodes('[type = \"vnic\"]')[0].data('api')")
    Inventory(console.store).set_fields(console.env, "vnic", vnic["object_id"],
                                        {"status": "Error", "status_value": 2, "status_text": "no traffic"})
    Messages(console.store).add(f"vnic {vnic['object_id']}: no traffic", level="error", environment=console.env,
                                related_object=vnic["object_id"], related_object_type="vnic")
    colour = "(id) => calipsoGraph.cy.getElementById(id).style('border-color').replace(/ /g, '')"
    eventually(lambda: page.evaluate(colour, vnic["id"]) == "rgb(198,40,40)", timeout=15)
    assert page.evaluate("window.__not_reloaded") is True


def test_object_without_clique_says_so(page, console):
    """An object with neither a clique nor a host (a region) has no graph; a host has its own (test_host_and_links.py)."""
    login(page, "alice", console.users["alice"])
    region = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "region"})["objects"][0]
    page.goto(f"/environment/{console.env}?selectedNodeId={region['id']}&view=graph")
    assert "No clique for this focal point" in page.locator("#graph-view").inner_text()
    assert page.locator("#calipso-graph").count() == 0
