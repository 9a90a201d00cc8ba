"""The README's picture of the console, taken on the scanned simulated cloud: an environment page with a
focal object's graph drawn. `make screenshots` runs this with CALIPSO_SCREENSHOT_DIR=docs."""

from __future__ import annotations

from tests.integration.ui.conftest import login

PREFERRED = ("instance", "vservice", "network")


def test_environment_graph_for_the_readme(page, console, shot_dir):
    cliques = console.api_get("admin", "/cliques", {"env_name": console.env})["cliques"]
    focal = sorted(cliques, key=lambda c: PREFERRED.index(c["focal_point_type"])
                   if c["focal_point_type"] in PREFERRED else len(PREFERRED))[0]
    login(page, "admin", console.users["admin"])
    page.goto(f"/environment/{console.env}?selectedNodeId={focal['focal_point_object_id']}")
    page.wait_for_selector("#calipso-graph[data-state=ready]", state="attached", timeout=60_000)
    drawn = page.evaluate("document.querySelector('#calipso-graph .cg-summary').textContent")
    assert drawn and not drawn.startswith("0 "), drawn
    page.mouse.move(0, 0)
    page.wait_for_timeout(500)
    page.screenshot(path=str(shot_dir / "console.png"))
    assert page.js_errors == []
