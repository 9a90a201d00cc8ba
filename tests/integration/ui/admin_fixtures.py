"""Fixtures of the administration screens' browser tests (used with the harness in conftest.py).

`scan_manager`: a real `calipso scan-manager` process on the console's store, for one test module
(so a module can first show what the console says when none is running).
"""

from __future__ import annotations

import os
import time
import uuid

import pytest

from tests.integration.ui.conftest import start_calipso, stop

FORM_SKIP = {"hosts"}


@pytest.fixture(scope="module")
def scan_manager(console, calipso_home):
    # distributed scans go to a queue of this manager's own, so no other worker on the machine takes them
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home), "CALIPSO_MONGO_URI": console.store.location.uri,
           "CALIPSO_WORK_QUEUE": f"calipso-test-ui-{uuid.uuid4().hex[:10]}"}
    log = console.logs / f"scan-manager-{time.monotonic_ns()}.log"
    proc = start_calipso(["scan-manager", "--interval", "0.3"], env, log)
    proc.calipso_env = env
    time.sleep(0.5)
    assert proc.poll() is None, log.read_text()[-2000:]
    yield proc
    stop(proc)


def fill_section(page, section: dict) -> None:
    """Type a configuration section into its wizard tab, as a person would."""
    page.click(f'.tab[data-tab="{section["name"]}"]')
    for key, value in section.items():
        if key == "name" or key in FORM_SKIP or isinstance(value, (dict, list)):
            continue
        sel = f'[name="{section["name"]}.{key}"]'
        if page.locator(sel).count() == 0:
            continue
        if isinstance(value, bool):
            page.locator(sel).set_checked(value)
        elif page.locator(sel).evaluate("e => e.tagName") == "SELECT":
            page.select_option(sel, str(value))
        else:
            page.fill(sel, str(value))


def fill_main(page, cloud: dict, name: str) -> None:
    page.click('.tab[data-tab="main"]')
    page.fill('[name="name"]', name)
    page.select_option('[name="environment_type"]', cloud.get("environment_type") or "OpenStack")
    page.select_option('[name="distribution"]', cloud["distribution"])
    page.fill('[name="distribution_version"]', cloud["distribution_version"])
    page.select_option('[name="type_drivers"]', cloud["type_drivers"])
    page.select_option('[name="mechanism_drivers"]', cloud["mechanism_drivers"])
    page.locator('[name="listen"]').set_checked(bool(cloud.get("listen")))
