"""Changing one's password in the console: the current one is checked, the API's other tokens of the user
are revoked, and this session stays signed in with the new password."""

from __future__ import annotations

from tests.integration.ui.conftest import login

NEW = "Erin-new-pass-5555"


def test_change_password_keeps_this_session_and_checks_the_current_one(page, console):
    old = console.users["erin"]
    login(page, "erin", old)
    page.goto("/change-password")
    page.fill("input[name=current]", "not-the-password")
    page.fill("input[name=new]", NEW)
    page.fill("input[name=again]", NEW)
    with page.expect_navigation():
        page.click("#password-form button[type=submit]")
    assert page.locator(".form-error").count() == 1, page.locator("main").inner_text()
    assert page.locator(".form-error").inner_text() == "The current password is wrong."
    page.fill("input[name=current]", old)
    page.fill("input[name=new]", NEW)
    page.fill("input[name=again]", NEW)
    page.click("#password-form button[type=submit]")
    page.wait_for_selector(".form-ok, .form-error")
    try:
        assert page.locator(".form-ok").count() == 1, page.locator("main").inner_text()
        assert "Your password was changed" in page.locator(".form-ok").inner_text()
        assert page.goto("/Dashboard").url.endswith("/Dashboard")      # still signed in
        page.click("#user-menu summary")
        page.click("#sign-out")
        login(page, "erin", old)
        assert "/login" in page.url                                     # the old password is gone
        login(page, "erin", NEW)
        assert page.url.endswith("/Dashboard")
    finally:
        console.store["users"].find_one({"username": "erin"})   # (store reachable)
        from api.auth.users import Users
        Users(console.store, rounds=4).set_password("erin", old)
