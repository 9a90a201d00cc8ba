"""Link types, clique types and constraints in the browser. A clique type created here is previewed,
saved, and after a cliques-only scan (asked for in the console, run by a real scan manager) the
instance's graph is the one it defines."""

from __future__ import annotations

import uuid

from tests.integration.ui.admin_fixtures import scan_manager  # noqa: F401
from tests.integration.ui.conftest import eventually, login

READY = "#calipso-graph[data-state=ready]"


def scan(page, console, what: str = "scan_only_cliques") -> None:
    page.goto(f"/new-scanning?env={console.env}")
    page.check(f'[name="what"][value="{what}"]')
    page.click("#scan-now")
    page.wait_for_selector("#scans tr.added")
    scan_id = page.locator("#scans tr.added").get_attribute("data-scan")
    page.wait_for_function("id => ['completed', 'completed_with_errors'].includes(document.querySelector("
                           "`#scans tr[data-scan='${id}'] [data-field=status]`).textContent)", arg=scan_id,
                           timeout=180_000)


def clique_link_types(console, focal: str) -> set[str]:
    c = console.api_get("admin", "/cliques", {"env_name": console.env, "focal_point_object_id": focal})
    rows = c.get("cliques") or []
    if rows:
        c = console.api_get("admin", "/cliques", {"env_name": console.env, "id": rows[0]["id"]})
    return {l["link_type"] for l in c.get("links_detailed") or []}


def test_a_clique_type_made_in_the_console_changes_the_graph(page, console, scan_manager, shot):
    login(page, "admin", console.users["admin"])
    vms = console.api_get("admin", "/cliques", {"env_name": console.env, "focal_point_type": "instance"})["cliques"]
    if not vms:   # the cloud changed since the first scan: take it in again
        scan(page, console, "full")
        vms = console.api_get("admin", "/cliques", {"env_name": console.env, "focal_point_type": "instance"})["cliques"]
    vm = vms[0]["focal_point_object_id"]
    before = clique_link_types(console, vm)
    assert "instance-vnic" in before and len(before) > 1
    name = f"vm-short-{uuid.uuid4().hex[:4]}"
    page.goto("/clique-type")
    page.fill('[name="name"]', name)
    page.select_option('[name="focal_point_type"]', "instance")
    page.select_option('[name="environment"]', console.env)
    page.locator('#link-type-slots select').nth(0).select_option("instance-vnic")
    # the focal object is picked by its name (the picker puts its id in the field)
    vm_name = console.api_get("admin", "/inventory", {"env_name": console.env, "id": vm})["name"]
    page.fill("#preview-focal", vm_name)
    page.locator("#preview .picker-suggestions button", has=page.locator(f'.s-path:text-is("{vm}")')).click()
    assert page.input_value("#preview-focal") == vm
    page.click("#preview-run")
    page.wait_for_selector("#preview-summary[data-nodes]")
    nodes = int(page.locator("#preview-summary").get_attribute("data-nodes"))
    assert nodes >= 2 and page.locator("#preview-links li").count() == nodes - 1
    assert all(t.startswith(f"instance-vnic: {vm_name} → ") for t in page.locator("#preview-links li").all_inner_texts())
    shot(page, "admin-clique-type-preview", full_page=True)
    page.click("#entry-save")
    page.wait_for_selector("#entry-saved")
    assert clique_link_types(console, vm) == before        # saved, not applied until a scan
    scan(page, console)
    assert clique_link_types(console, vm) == {"instance-vnic"}
    page.goto(f"/environment/{console.env}?selectedNodeId={vm}&view=graph")
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    drawn = page.evaluate("() => calipsoGraph.cy.nodes('.obj').length")
    assert drawn == nodes
    shot(page, "admin-clique-type-graph")

    # delete it from its list, and the next cliques-only scan brings the full graph back
    page.goto("/clique-types-list")
    page.click(f'#entries tr[data-name="{name}"] a')
    page.click("#entry-delete")
    page.wait_for_selector("#entries")
    assert page.locator(f'#entries tr[data-name="{name}"]').count() == 0
    scan(page, console)
    assert clique_link_types(console, vm) == before


def test_link_types_and_constraints_are_edited_by_admins_only(page, console, shot):
    login(page, "admin", console.users["admin"])
    page.goto("/link-type")
    page.select_option('[name="endPointA"]', "otep")
    page.select_option('[name="endPointB"]', "instance")
    page.fill('[name="description"]', "a tunnel endpoint serving an instance")
    page.click("#entry-save")
    page.wait_for_selector("#entry-saved")
    page.goto("/link-types-list")
    assert page.locator('#entries tr[data-name="otep-instance"]').count() == 1
    page.click('#entries tr[data-name="otep-instance"] a')
    page.select_option('[name="endPointA"]', "otep")
    page.select_option('[name="endPointB"]', "otep")
    page.click("#entry-save")
    page.wait_for_selector("#entry-saved")
    page.click("#entry-delete")
    page.wait_for_selector("#entries")
    assert page.locator('#entries tr[data-name="otep-otep"]').count() == 0
    # a constraint for the same focal type as the default one is refused at its form, as the API says
    page.goto("/clique-constraint")
    page.select_option('[name="focal_point_type"]', "instance")
    page.check('[name="constraints"][value="network"]')
    page.click("#entry-save")
    page.wait_for_selector("#entry-problems")
    assert "already exists" in page.locator("#entry-problems").inner_text()
    shot(page, "admin-constraint-refused")
    # a non-admin sees the catalogues without any way to change them
    page.context.clear_cookies()
    login(page, "erin", console.users["erin"])
    for path in ("/link-types-list", "/clique-types-list", "/clique-constraints-list"):
        page.goto(path)
        assert page.locator("#new-entry").count() == 0
        page.locator("#entries a").first.click()
        assert page.locator("#entry-save").count() == 0 and page.locator("#entry-delete").count() == 0
