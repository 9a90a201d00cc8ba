"""The environment wizard in a real browser: problems at their fields, connection tests answered by a
real scan manager, add, edit keeping secrets, delete after asking."""

from __future__ import annotations

import uuid

from app.envconfig.repository import EnvironmentConfigs
from tests.integration.ui.admin_fixtures import fill_main, fill_section, scan_manager  # noqa: F401
from tests.integration.ui.conftest import eventually, login


def sections(cloud: dict) -> dict:
    return {s["name"]: s for s in cloud["configuration"]}


def test_every_problem_is_shown_at_its_field(page, console, shot):
    login(page, "admin", console.users["admin"], "/wizard")
    page.fill('[name="name"]', "bad name!")
    page.select_option('[name="environment_type"]', "OpenStack")
    page.click('.tab[data-tab="mysql"]')
    page.fill('[name="mysql.host"]', "db.example.net")
    page.fill('[name="mysql.port"]', "99999")
    page.fill('[name="mysql.user"]', "calipso")
    page.click('.tab[data-tab="CLI"]')
    page.fill('[name="CLI.host"]', "not a host!")
    page.fill('[name="CLI.user"]', "root")
    page.click("#wizard-submit")
    page.wait_for_selector("#wizard-problems")
    assert page.locator('[data-field="name"] .field-error').count() == 1
    assert page.locator('[data-field="distribution"] .field-error').count() == 1
    assert page.locator('.tab.has-error[data-tab="mysql"]').count() == 1
    page.click('.tab[data-tab="mysql"]')
    assert "out of range" in page.locator('[data-field="mysql.port"] .field-error').inner_text()
    page.click('.tab[data-tab="CLI"]')
    cli = page.locator('[data-field="CLI.host"] .field-error').inner_text()
    assert "not an IP address or host name" in cli
    assert page.locator('[data-panel="OpenStack"] .field-error').count() >= 1   # required section left empty
    assert page.input_value('[name="mysql.host"]') == "db.example.net"          # what was typed is kept
    shot(page, "admin-wizard-problems")


def test_connection_test_without_a_scan_manager_says_so(page, console):
    login(page, "admin", console.users["admin"], "/wizard")
    page.fill('[name="name"]', f"nomgr-{uuid.uuid4().hex[:6]}")
    fill_section(page, sections(console.cloud)["mysql"])
    page.click('[data-panel="mysql"] .test-connection')
    page.wait_for_selector('[data-result="mysql"].bad', timeout=40_000)
    assert "no scan manager is running" in page.locator('[data-result="mysql"]').inner_text()


def test_connection_tests_pass_for_each_section_and_fail_with_the_reason(page, console, scan_manager, shot):
    cloud = console.cloud
    login(page, "admin", console.users["admin"], "/wizard")
    fill_main(page, cloud, f"conn-{uuid.uuid4().hex[:6]}")
    for name in ("OpenStack", "mysql", "CLI", "AMQP"):
        fill_section(page, sections(cloud)[name])
        page.click(f'[data-panel="{name}"] .test-connection')
        page.wait_for_selector(f'[data-result="{name}"].ok, [data-result="{name}"].bad', timeout=40_000)
        assert page.locator(f'[data-result="{name}"]').inner_text() == f"{name} connection succeeded", name
    shot(page, "admin-wizard-test-ok")
    page.click('.tab[data-tab="mysql"]')
    page.fill('[name="mysql.pwd"]', "wrong-password")
    page.click('[data-panel="mysql"] .test-connection')
    page.wait_for_selector('[data-result="mysql"].bad', timeout=40_000)
    text = page.locator('[data-result="mysql"]').inner_text()
    assert text.startswith("mysql connection failed:") and len(text) > len("mysql connection failed: ") + 5
    assert "wrong-password" not in text
    shot(page, "admin-wizard-test-failed")


def test_add_edit_keeping_secrets_and_delete_after_asking(page, console, shot):
    cloud = console.cloud
    name = f"wiz-{uuid.uuid4().hex[:6]}"
    login(page, "admin", console.users["admin"], "/wizard")
    fill_main(page, cloud, name)
    for s in cloud["configuration"]:
        if s["name"] in ("OpenStack", "mysql", "CLI", "AMQP"):
            fill_section(page, s)
    page.click("#wizard-submit")
    page.wait_for_selector("#wizard-saved")
    page.goto("/Dashboard")
    assert page.locator(f'.env-card[data-env="{name}"]').count() == 1
    stored = EnvironmentConfigs(console.store).find(name)
    secret = {s["name"]: s.get("pwd") for s in stored["configuration"]}
    assert secret["mysql"] == sections(cloud)["mysql"]["pwd"]

    # edit: passwords are never in the page; left blank they are kept
    page.goto(f"/wizard/{name}")
    assert sections(cloud)["mysql"]["pwd"] not in page.content()
    page.fill('[name="app_path"]', "/opt/calipso/app")
    page.click('.tab[data-tab="OpenStack"]')
    page.fill('[name="OpenStack.admin_project"]', "admin")
    page.click("#wizard-submit")
    page.wait_for_selector("#wizard-saved")
    shot(page, "admin-wizard-edited")
    stored = EnvironmentConfigs(console.store).find(name)
    assert stored["app_path"] == "/opt/calipso/app"
    assert {s["name"]: s.get("pwd") for s in stored["configuration"]} == secret

    # delete: asks first (nothing gone yet), then deletes
    page.click("#delete-env")
    page.wait_for_selector("#delete-form")
    shot(page, "admin-wizard-delete-confirm")
    assert EnvironmentConfigs(console.store).find(name) is not None
    page.check("#purge")
    page.click("#confirm-delete")
    page.wait_for_selector("#deleted")
    assert EnvironmentConfigs(console.store).find(name) is None
    page.goto("/Dashboard")
    assert page.locator(f'.env-card[data-env="{name}"]').count() == 0
    assert page.js_errors == []
