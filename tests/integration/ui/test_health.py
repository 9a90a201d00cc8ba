"""Health first: the dashboard's counts lead to the health page, which lists what fails now and opens
its graph with the failing object highlighted, and follows monitoring changes without a reload."""

from __future__ import annotations

from datetime import datetime, timezone

from app.inventory import Inventory
from app.messages import Messages
from tests.integration.ui.conftest import eventually, login

READY = "#calipso-graph[data-state=ready]"


def fail(console, obj: dict, status: str, text: str) -> None:
    """What the monitoring handler does on a state change: the object's status, and a message."""
    value = {"OK": 0, "Warning": 1, "Error": 2}[status]
    Inventory(console.store).set_fields(console.env, obj["type"], obj["id"],
                                        {"status": status, "status_value": value, "status_text": text,
                                         "status_timestamp": datetime.now(timezone.utc)})
    Messages(console.store).add(f"{obj['type']} {obj['id']}: {text}", level="error" if value == 2 else "warning",
                                environment=console.env, related_object=obj["id"], related_object_type=obj["type"])


def first(console, obj_type: str) -> dict:
    return console.api_get("admin", "/inventory", {"env_name": console.env, "type": obj_type})["objects"][0]


def test_dashboard_count_leads_to_the_failing_object_on_its_graph(page, console, shot):
    vedge = console.api_get("admin", "/inventory", {"env_name": console.env, "id": first(console, "vedge")["id"]})
    fail(console, vedge, "Error", "ovs-vswitchd is not running")
    try:
        login(page, "admin", console.users["admin"])
        page.goto("/Dashboard")
        line = page.locator(f'.env-card[data-env="{console.env}"] .health-line')
        assert int(line.locator('[data-health-status="Error"]').inner_text()) >= 1
        shot(page, "dashboard-health")
        line.click()
        page.wait_for_url("**/health?env=*")
        row = page.locator(f'tr.health-row[data-id="{vedge["id"]}"]')
        assert "ovs-vswitchd is not running" in row.inner_text() and "Error" in row.inner_text()
        assert page.locator(f'#env-{console.env} .health-host h3', has_text=vedge["host"]).count() == 1
        shot(page, "health")
        row.locator("a.health-graph").click()
        page.wait_for_selector(READY, state="attached", timeout=60_000)
        assert "host_graph" in page.get_attribute("#calipso-graph", "data-graph-url")
        eventually(lambda: page.get_attribute("#calipso-graph", "data-highlighted") not in (None, ""), timeout=15)
        # a host holds its objects without links: the failing vEdge is shown with its own links
        on = page.evaluate("() => calipsoGraph.cy.nodes('.on-path').map(n => n.data('api').object_id)")
        assert vedge["id"] in on and len(on) > 1
        assert page.evaluate("() => calipsoGraph.cy.edges('.on-path').length") >= 1
        badge = page.evaluate("(id) => calipsoGraph.cy.nodes().filter(n => (n.data('api') || {}).object_id === id)[0]"
                              ".data('images').length", vedge["id"])
        assert badge == 2
        shot(page, "health-to-graph")
        assert page.js_errors == []
    finally:
        fail(console, vedge, "OK", "ok")


def test_the_health_page_follows_a_new_failure_without_reload(page, console):
    login(page, "admin", console.users["admin"])
    page.goto("/health")
    page.evaluate("window.__not_reloaded = true")
    vnic = first(console, "vnic")
    fail(console, vnic, "Warning", "packet loss 3%")
    try:
        page.locator(f'tr.health-row[data-id="{vnic["id"]}"]').wait_for(timeout=30_000)
        assert page.evaluate("window.__not_reloaded") is True
        fail(console, vnic, "OK", "ok")
        page.locator(f'tr.health-row[data-id="{vnic["id"]}"]').wait_for(state="detached", timeout=30_000)
    finally:
        fail(console, vnic, "OK", "ok")


def test_health_lists_only_environments_the_user_may_view(page, console):
    other = console.store["inventory"].find_one({"environment": console.other_env, "type": "instance"})
    Inventory(console.store).set_fields(console.other_env, "instance", other["id"],
                                        {"status": "Error", "status_value": 2, "status_text": "bravo down"})
    try:
        login(page, "alice", console.users["alice"])
        page.goto("/health")
        assert "bravo" not in page.inner_text("#health-body")
        assert page.locator(f'[data-health-env="{console.other_env}"]').count() == 0
    finally:
        Inventory(console.store).set_fields(console.other_env, "instance", other["id"], {"status_value": 0, "status": "OK"})


def test_a_failing_link_is_named_by_the_objects_it_joins(page, console):
    link = console.store["links"].find_one({"environment": console.env, "link_type": "instance-vnic"})
    instance = console.api_get("admin", "/inventory", {"env_name": console.env, "id": link["source_id"]})
    vnic = console.api_get("admin", "/inventory", {"env_name": console.env, "id": link["target_id"]})
    kept = {k: link[k] for k in ("status", "status_value", "link_name") if k in link}
    console.store["links"].update_one({"_id": link["_id"]}, {"$set": {"status": "Error", "status_value": 2},
                                                             "$unset": {"link_name": ""}})
    try:
        login(page, "admin", console.users["admin"])
        page.goto("/health")
        row = page.locator(f'tr.health-row[data-id="{link["_id"]}"]')
        name = lambda o: o.get("object_name") or o["name"]  # noqa: E731
        assert f"{name(instance)} → {name(vnic)}" in row.inner_text()      # names, not the ids it joins
        source = row.locator("a", has_text=name(instance))
        assert source.get_attribute("title") == instance["id"]
    finally:
        console.store["links"].update_one({"_id": link["_id"]}, {"$unset": {"status": "", "status_value": ""}})
        if kept:
            console.store["links"].update_one({"_id": link["_id"]}, {"$set": kept})
