"""What must never happen: a state change without the CSRF token, markup from the inventory run as
code, a traceback instead of a 404, a blank page while the API is down."""

from __future__ import annotations

from tests.integration.ui.conftest import eventually, login

HOSTILE = "<script>window.__pwned=1</script>\"q'{{7*7}}<img src=x onerror=\"window.__pwned=2\">"


def test_state_changes_without_the_csrf_token_are_refused(page, console):
    login(page, "alice", console.users["alice"])
    token = page.locator('meta[name="csrf-token"]').get_attribute("content")
    for path, form in (("/logout", {}), ("/change-password", {"current": console.users["alice"], "new": "Other-pass-99",
                                                               "again": "Other-pass-99"})):
        for headers in ({}, {"X-CSRF-Token": "forged"}):
            r = page.request.post(path, form=form, headers=headers, max_redirects=0)
            assert r.status == 403, (path, headers, r.status)
            assert "security token" in r.text()
    # refused means nothing happened: still signed in, password unchanged
    assert page.goto("/Dashboard").url.endswith("/Dashboard")
    assert console.api_get("alice", "/users/alice")["username"] == "alice"
    # the relay is read-only
    assert page.request.post("/ui-api/scans", data="{}", headers={"X-CSRF-Token": token}).status == 405
    # with the token, the same request works
    r = page.request.post("/logout", form={"csrf_token": token}, max_redirects=0)
    assert r.status == 303


def test_hostile_names_render_as_text_everywhere(page, console, shot):
    sdk = console.sdk
    net = next(n for n in sdk.network.networks() if not n.is_router_external)
    server = sdk.compute.create_server(name=HOSTILE, flavor_id=next(sdk.compute.flavors()).id,
                                       image_id=next(sdk.compute.images()).id, networks=[{"uuid": net.id}])
    sdk.compute.wait_for_server(server, wait=20, interval=0.2)
    try:
        stored = eventually(lambda: console.api_get("alice", "/inventory", {"env_name": console.env, "id": server.id}),
                            timeout=60)
        name = stored["name"]   # as stored ('/' becomes '∕' so that name_path stays a path)
        assert name.replace("\u2215", "/") == HOSTILE
        login(page, "alice", console.users["alice"])
        page.goto(f"/environment/{console.env}?selectedNodeId={server.id}&view=data")
        assert page.locator("#object-title").inner_text() == name
        assert page.locator("#tree li.node.selected > .node-row .node-name").inner_text() == name
        assert name in page.locator("#breadcrumb").inner_text()
        assert name in page.locator("#data-view").inner_text()
        page.fill("#search-box", name[:12])
        page.wait_for_selector("#search-suggestions li a")
        assert page.locator("#search-suggestions .s-name").first.inner_text() == name
        shot(page, "hostile-names")
        page.press("#search-box", "Enter")
        page.wait_for_selector("#search-results")
        assert page.locator("#search-results a").first.inner_text() == name
        page.goto(f"/environment/{console.env}?selectedNodeId={server.id}&view=graph")
        page.wait_for_timeout(1500)
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert page.js_errors == []
    finally:
        sdk.compute.delete_server(server)


def test_unknown_pages_and_objects_are_the_404_page(page, console):
    r = page.goto("/no/such/page")
    assert r.status == 404 and page.locator("#not-found").is_visible()
    assert "/login?next=" in page.goto("/environment/no-such-env").url    # signed out: sign in first
    login(page, "alice", console.users["alice"])
    for url in ("/no/such/page", f"/environment/{console.env}?selectedNodeId=no-such-object", "/environment/%3Cb%3E"):
        r = page.goto(url)
        assert r.status == 404, url
        assert page.locator("#not-found").is_visible()
        assert page.locator("#user-menu").is_visible()      # still the console, signed in
        assert "Traceback" not in page.content()
    assert page.request.get("/ui-api/no_such_route").status == 404
    assert page.request.get("/ui-api/auth/tokens").status == 404


def test_api_down_shows_a_banner_and_the_console_recovers(page, console, shot):
    login(page, "alice", console.users["alice"])
    page.wait_for_selector('[data-messages="info"]:not(:text("–"))')
    try:
        console.stop_api()
        page.locator("#api-banner").wait_for(state="visible", timeout=10_000)
        shot(page, "api-down-banner")
        r = page.goto(f"/environment/{console.env}")
        assert r.status == 503 and page.locator("#api-down").is_visible()
        assert page.locator("#api-banner").is_visible()
    finally:
        console.start_api()
    # the page asks by itself and shows what was asked for once the API answers
    page.wait_for_url(f"{console.ui}/environment/{console.env}", timeout=20_000)
    page.locator("#tree-panel").wait_for()
    page.locator("#api-banner").wait_for(state="hidden", timeout=10_000)   # at its next look at the API
