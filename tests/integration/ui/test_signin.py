"""Signing in and out: wrong passwords refused, sign-out revokes the API token, the cookie is
HttpOnly and SameSite=Strict, an expired session returns to the page asked for after sign-in."""

from __future__ import annotations

from urllib.parse import quote

import requests
from playwright.sync_api import Error as PlaywrightError

from tests.integration.ui.conftest import login


def test_sign_in_lands_on_the_dashboard(page, console, shot):
    page.goto("/")
    assert page.locator("#sign-in-link").is_visible()
    shot(page, "landing")
    login(page, "alice", console.users["alice"])
    assert page.url.endswith("/Dashboard")
    assert page.locator("#user-menu .username").inner_text() == "alice"
    cookie = next(c for c in page.context.cookies() if c["name"] == "calipso_session")
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    shot(page, "dashboard")
    assert page.js_errors == []


def test_wrong_password_is_refused(page, console):
    login(page, "alice", "not-her-password")
    assert "/login" in page.url
    assert page.locator("#login-error").inner_text() == "Wrong user name or password."
    page.goto("/Dashboard")
    assert "/login" in page.url


def test_sign_out_revokes_the_token(page, console):
    tokens = console.store["api_tokens"]
    before = tokens.count_documents({"username": "alice"})
    login(page, "alice", console.users["alice"])
    assert tokens.count_documents({"username": "alice"}) == before + 1
    old = next(c for c in page.context.cookies() if c["name"] == "calipso_session")["value"]
    page.click("#user-menu summary")
    page.click("#sign-out")
    page.wait_for_url(console.ui + "/")
    # the old cookie, replayed, is a stranger now: sign-in page, not the dashboard
    r = requests.get(console.ui + "/Dashboard", cookies={"calipso_session": old}, allow_redirects=False, timeout=10)
    assert r.status_code == 303 and r.headers["Location"].startswith("/login")
    # and the API no longer holds the session's token
    assert tokens.count_documents({"username": "alice"}) == before


def _sign_in_back_to_the_environment(page, console) -> None:
    """On the sign-in page: sign in as alice and land on the environment's page, its tree drawn."""
    page.fill("input[name=username]", "alice")
    page.fill("input[name=password]", console.users["alice"])
    page.click("#login-form button[type=submit]")
    page.wait_for_url(f"{console.ui}/environment/{console.env}")
    assert page.locator("#tree-panel").is_visible()


def test_expired_session_comes_back_to_the_page_asked_for(page, console):
    login(page, "alice", console.users["alice"])
    page.goto("about:blank")    # no console page open, whose own background requests would also find the session gone
    # the API forgets alice's tokens (as when they expire): the next page asks to sign in again
    console.store["api_tokens"].delete_many({"username": "alice"})
    page.goto(f"/environment/{console.env}")
    assert "/login" in page.url
    _sign_in_back_to_the_environment(page, console)


def test_a_background_request_that_finds_the_session_gone_comes_back_to_its_page(page, console):
    # a page's own requests (the problems badge, the tree) are JSON: signing in again must return to the page,
    # never to the JSON that noticed (one run landed on /ui-api/problems?limit=1)
    login(page, "alice", console.users["alice"])
    page.goto(f"/environment/{console.env}")
    page.locator("#tree-panel").wait_for()
    console.store["api_tokens"].delete_many({"username": "alice"})
    with page.expect_navigation(url="**/login?next=*"):
        try:
            page.evaluate("Calipso.getJSON('/problems?limit=1').catch(function () {})")
        except PlaywrightError as e:   # the page's own polling (the badge, every 0.5 s) found it gone first
            if "Execution context was destroyed" not in str(e):
                raise
    assert page.url.endswith(f"/login?next={quote('/environment/' + console.env, safe='')}")
    _sign_in_back_to_the_environment(page, console)


def test_sign_in_never_lands_on_a_background_request(page, console):
    # a link that names the API relay or the live stream as the page to return to lands on the dashboard
    for target in ("/ui-api/problems%3Flimit%3D1", "/events"):
        page.context.clear_cookies()
        login(page, "alice", console.users["alice"], next_path=target)
        page.wait_for_url(f"{console.ui}/Dashboard")
