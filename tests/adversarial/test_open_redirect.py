"""No sign-in link can send a person to another site: 36 `next` values that browsers rewrite (tabs,
line breaks, backslashes, `//`, U+3000, full-width solidus, schemes...), followed by Chromium itself,
signed out (through the form) and signed in (straight away). A request for any other host is caught
by the browser context and counted; the page must stay on the console and never be a 5xx."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest

from tests.adversarial.conftest import USERS
from tests.integration.ui.conftest import CHROMIUM, CHROMIUM_ARGS, need_browser

EVIL = "evil.example"
PAYLOADS = [
    f"//{EVIL}", f"/%09/{EVIL}", f"/%0a/{EVIL}", f"/%0d/{EVIL}", f"/%0d%0a/{EVIL}", f"/%5C{EVIL}",
    f"/%5C%5C{EVIL}", f"%2F%2F{EVIL}", f"https://{EVIL}", f"http:{EVIL}", f"https:/{EVIL}", f"//{EVIL}/%2F..",
    f"///{EVIL}", f"////{EVIL}", f"/%2F/{EVIL}", f"/%E3%80%80/{EVIL}", f"%E3%80%80//{EVIL}", f"/%00/{EVIL}",
    f"%09//{EVIL}", f"%20//{EVIL}", f"//%09{EVIL}", "javascript:alert(document.domain)", f"/.//{EVIL}",
    f"/..//{EVIL}", f"//{EVIL}@127.0.0.1", f"/@{EVIL}", f"//127.0.0.1@{EVIL}", f"%2F%5C{EVIL}",
    f"/%2F{EVIL}", "data:text/html,<script>alert(1)</script>", "//evil%E3%80%82example",
    f"%EF%BC%8F%EF%BC%8F{EVIL}", f"/%0B/{EVIL}", f"%5C%5C%2F{EVIL}", f"/%5C/{EVIL}", f"%0D%0ALocation:%20//{EVIL}",
]


@pytest.fixture(scope="module")
def browser():
    need_browser()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield b
        b.close()


def _context(browser, stack):
    context = browser.new_context(base_url=stack.ui)
    context.set_default_timeout(30_000)
    console = urlsplit(stack.ui).netloc
    context.elsewhere, context.errors = [], []

    def guard(route):
        if urlsplit(route.request.url).netloc != console:
            context.elsewhere.append(route.request.url)
            return route.abort()
        return route.continue_()
    context.route("**/*", guard)
    context.on("response", lambda r: r.status >= 500 and context.errors.append(f"{r.status} {r.url}"))
    return context


def _stayed(page, stack) -> bool:
    parts = urlsplit(page.url)
    return parts.scheme == "http" and parts.netloc == urlsplit(stack.ui).netloc


def test_enough_payloads():
    assert len(set(PAYLOADS)) >= 30


def test_no_next_leads_off_site_when_signing_in(browser, stack):
    context = _context(browser, stack)
    try:
        left = []
        for payload in PAYLOADS:
            page = context.new_page()
            page.goto(f"/login?next={payload}")
            page.fill("input[name=username]", "alice")
            page.fill("input[name=password]", USERS["alice"])
            page.click("#login-form button[type=submit]")
            page.wait_for_load_state("domcontentloaded")
            if not _stayed(page, stack):
                left.append((payload, page.url))
            page.close()
            context.clear_cookies()         # signed out again for the next payload
        assert left == [] and context.elsewhere == [], (left, context.elsewhere)
        assert context.errors == []
    finally:
        context.close()


def test_no_next_leads_off_site_when_already_signed_in(browser, stack):
    context = _context(browser, stack)
    try:
        page = context.new_page()
        page.goto("/login")
        page.fill("input[name=username]", "alice")
        page.fill("input[name=password]", USERS["alice"])
        page.click("#login-form button[type=submit]")
        page.wait_for_load_state("domcontentloaded")
        left = []
        for payload in PAYLOADS:
            page.goto(f"/login?next={payload}")
            if not _stayed(page, stack):
                left.append((payload, page.url))
        assert left == [] and context.elsewhere == [], (left, context.elsewhere)
        assert context.errors == []
        page.goto("/login?next=/Dashboard%3Fx%3D1")      # a path of the console is still followed
        assert urlsplit(page.url).path == "/Dashboard"
    finally:
        context.close()
