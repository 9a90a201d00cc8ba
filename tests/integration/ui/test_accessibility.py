"""Every screen of the console passes axe-core (vendored) with no serious or critical violation,
at the desktop size and at 800x600."""

from __future__ import annotations

import pytest

from tests.integration.ui.axe import assert_accessible, violations
from tests.integration.ui.conftest import login

SCREENS = ("/Dashboard", "/health", "/getstarted", "/search?q=vm", "/change-password", "/wizard", "/scans-list",
           "/scheduled-scans-list", "/messages-list", "/link-types-list", "/clique-types-list",
           "/clique-constraints-list", "/user-list", "/user-settings")


def test_signed_out_screens(page, console):
    for path in ("/", "/login"):
        page.goto(path)
        assert_accessible(page, path)


@pytest.mark.parametrize("size", [(1400, 900), (800, 600)], ids=["desktop", "800px"])
def test_signed_in_screens(page, console, size):
    page.set_viewport_size({"width": size[0], "height": size[1]})
    login(page, "admin", console.users["admin"])
    cliques = console.api_get("admin", "/cliques", {"env_name": console.env})["cliques"]
    host = next(iter(console.api_get("admin", "/inventory", {"env_name": console.env, "type": "host"})["objects"]))
    env = f"/environment/{console.env}"
    pages = list(SCREENS) + [env, f"{env}?selectedNodeId={host['id']}",
                             f"{env}?selectedNodeId={cliques[0]['focal_point_object_id']}&view=graph",
                             f"{env}?selectedNodeId={host['id']}&view=graph"]
    found = {}
    for path in pages:
        page.goto(path)
        if "view=graph" in path:
            page.wait_for_selector("#calipso-graph[data-state=ready]", state="attached", timeout=60_000)
        found[path] = [f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in violations(page)]
    bad = {p: v for p, v in found.items() if v}
    assert not bad, "\n".join(f"{p}: {v}" for p, v in bad.items())
    assert page.js_errors == []
