"""A user who may view one environment never sees another: not on the dashboard, in the menus, the tree,
search, the script relay, or a URL typed by hand (the 404 page, as for something that does not exist)."""

from __future__ import annotations

from tests.integration.ui.conftest import login


def test_viewer_of_one_environment_never_sees_the_other(page, console, shot):
    secret = console.api_get("admin", "/inventory", {"env_name": console.env, "type": "instance"})["objects"][0]
    login(page, "bruno", console.users["bruno"])
    cards = page.locator(".env-card")
    assert cards.count() == 1 and cards.first.get_attribute("data-env") == console.other_env
    page.click("#env-menu summary")
    menu = page.locator("#env-menu .menu-body").inner_text()
    assert console.other_env in menu and console.env not in menu

    # search: the other environment's objects are not found, by suggestion or results page
    page.fill("#search-box", secret["name"])
    page.wait_for_selector("#search-suggestions li")
    assert page.locator("#search-suggestions li a").count() == 0
    assert "No object named like" in page.locator("#search-suggestions").inner_text()
    page.goto(f"/search?q={secret['name']}")
    assert page.locator("#search-results").count() == 0
    page.goto("/search?q=bravo")
    assert "bravo-secret-vm" in page.locator("#search-results").inner_text()

    # the tree holds only its own environment
    page.goto(f"/environment/{console.other_env}?selectedNodeId=bravo-secret-vm")
    assert page.locator("#object-title").inner_text() == "bravo-secret-vm"
    tree_ids = page.locator("#tree li.node").evaluate_all("els => els.map(e => e.dataset.id)")
    assert set(tree_ids) == {"bravo-region", "bravo-host-1", "bravo-secret-vm"}

    # URLs typed by hand: the 404 page, status 404, nothing of the other environment
    for url in (f"/environment/{console.env}", f"/environment/{console.env}?selectedNodeId={secret['id']}",
                f"/environment/{console.other_env}?selectedNodeId={secret['id']}",
                f"/search?q={secret['name']}&env={console.env}"):
        resp = page.goto(url)
        assert resp.status == 404, url
        assert page.locator("#not-found").is_visible(), url
        assert secret["name"] not in page.content()
    shot(page, "not-found")
    # the page scripts' relay applies the same rights
    relay = page.request.get(f"/ui-api/inventory?env_name={console.env}&id={secret['id']}")
    assert relay.status == 404


def test_the_other_viewer_is_isolated_the_other_way(page, console):
    login(page, "alice", console.users["alice"])
    assert [c.get_attribute("data-env") for c in page.locator(".env-card").all()] == [console.env]
    page.goto("/search?q=bravo")
    assert page.locator("#search-results").count() == 0
    assert page.goto(f"/environment/{console.other_env}").status == 404
    assert page.request.get("/ui-api/summary").json()["environments"][0]["name"] == console.env
