"""Rights in the browser: a view-only user sees no way to change an environment and a forged POST from
their session is refused (403); rights given in the users screen apply to that environment only."""

from __future__ import annotations

import uuid

from tests.integration.ui.conftest import login

CHANGES = ('a[href^="/wizard/"]', 'a[href^="/new-scanning"]', 'a[href^="/environment-delete"]', "#wizard-submit",
           "#delete-env", "#new-scan", "#new-schedule", ".test-connection")


def no_change_controls(page) -> None:
    for sel in CHANGES:
        assert page.locator(sel).count() == 0, sel


def switch(page, user: str, password: str) -> None:
    page.context.clear_cookies()   # a new session, as after signing out
    login(page, user, password)


def forged(page, path: str, form: dict):
    csrf = page.locator('meta[name="csrf-token"]').get_attribute("content")
    return page.request.post(path, form={**form, "csrf_token": csrf}, max_redirects=0)


def test_a_viewer_sees_no_change_controls_and_forged_posts_are_refused(page, console, shot):
    env = console.env
    login(page, "alice", console.users["alice"])
    for path in (f"/environment/{env}", f"/wizard/{env}", "/scans-list", "/scheduled-scans-list"):
        page.goto(path)
        no_change_controls(page)
    page.goto(f"/wizard/{env}")
    assert page.locator("#wizard-readonly").count() == 1
    shot(page, "admin-rights-viewer-wizard")
    before = len(console.api_get("admin", "/scans", {"env_name": env, "page_size": 1000})["scans"])
    r = forged(page, "/new-scanning", {"env": env, "action": "scan", "log_level": "info", "what": "full"})
    assert r.status == 403, r.text()
    assert len(console.api_get("admin", "/scans", {"env_name": env, "page_size": 1000})["scans"]) == before
    assert forged(page, f"/wizard/{env}", {"name": env, "app_path": "/tmp/x"}).status == 403
    assert forged(page, f"/environment-delete/{env}", {"purge": "on"}).status == 403
    assert console.api_get("admin", f"/environment_configs/{env}")["name"] == env
    # without the CSRF token, even an admin's session is refused
    switch(page, "admin", console.users["admin"])
    assert page.request.post("/new-scanning", form={"env": env, "action": "scan"}, max_redirects=0).status == 403


def test_rights_given_in_the_users_screen_apply_to_that_environment_only(page, console, shot):
    name = f"gwen{uuid.uuid4().hex[:4]}"
    login(page, "admin", console.users["admin"])
    page.goto("/user-new")
    page.fill('[name="username"]', name)
    page.fill('[name="password"]', "Gwen-pass-123")
    page.check(f'#rights tr[data-env="{console.env}"] input[name="edit_envs"]')
    page.check(f'#rights tr[data-env="{console.other_env}"] input[name="view_envs"]')
    page.click("#user-save")
    page.wait_for_selector("#user-saved")
    page.goto("/user-list")
    row = page.locator(f'#users tr[data-user="{name}"]')
    assert console.env in row.inner_text() and console.other_env in row.inner_text()
    shot(page, "admin-users")

    switch(page, name, "Gwen-pass-123")
    page.goto(f"/wizard/{console.env}")
    assert page.locator("#wizard-submit").count() == 1
    page.click("#wizard-submit")
    page.wait_for_selector("#wizard-saved")
    page.goto(f"/wizard/{console.other_env}")
    assert page.locator("#wizard-readonly").count() == 1 and page.locator("#wizard-submit").count() == 0
    assert forged(page, f"/wizard/{console.other_env}", {"app_path": "/tmp/x"}).status == 403
    page.goto(f"/new-scanning?env={console.env}")
    assert [o for o in page.locator('[name="env"] option').all_inner_texts()] == [console.env]

    # the admin takes the edit right away and disables gwen; the first admin cannot be disabled or deleted
    switch(page, "admin", console.users["admin"])
    page.goto(f"/user/{name}")
    page.uncheck(f'#rights tr[data-env="{console.env}"] input[name="edit_envs"]')
    page.check('[name="disabled"]')
    page.click("#user-save")
    page.wait_for_selector("#user-saved")
    assert console.api_get("admin", f"/users/{name}")["disabled"] is True
    page.goto("/user/admin")
    assert page.locator('[name="disabled"]').count() == 0 and page.locator("#user-delete").count() == 0
    page.goto(f"/user/{name}")
    page.click("#user-delete")
    page.wait_for_selector("#users")
    assert page.locator(f'#users tr[data-user="{name}"]').count() == 0


def test_own_settings_change_the_rows_per_page(page, console):
    login(page, "bruno", console.users["bruno"])
    page.goto("/user-settings")
    page.fill('[name="time_zone"]', "Mars/Olympus")
    page.click("#settings-save")
    assert "not a known IANA time zone" in page.locator(".field-error").inner_text()
    page.fill('[name="time_zone"]', "Europe/Paris")
    page.fill('[name="page_size"]', "5")
    page.click("#settings-save")
    page.wait_for_selector("#settings-saved")
    assert console.api_get("bruno", "/user_settings")["time_zone"] == "Europe/Paris"
