"""Scanning from the browser: a scan asked for in the console is run by a real `calipso scan-manager`
and the list follows it to the end without a reload; a schedule shows its next run and fires."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

from tests.integration.ui.admin_fixtures import scan_manager  # noqa: F401
from tests.integration.ui.conftest import eventually, login

FINAL = ("completed", "completed_with_errors")


def test_scan_now_runs_and_the_list_follows_it_without_reload(page, console, scan_manager, shot):
    login(page, "erin", console.users["erin"], f"/new-scanning?env={console.env}")
    page.select_option('[name="log_level"]', "info")
    page.click("#scan-now")
    page.wait_for_selector("#scans tr.added")
    row = page.locator("#scans tr.added")
    scan_id = row.get_attribute("data-scan")
    assert row.locator('[data-field="status"]').inner_text() in ("pending", "running")
    page.evaluate("window.__stillHere = true")
    shot(page, "admin-scans-pending")
    page.wait_for_function(
        "id => ['completed', 'completed_with_errors'].includes("
        "document.querySelector(`#scans tr[data-scan='${id}'] [data-field=status]`).textContent)",
        arg=scan_id, timeout=180_000)
    assert page.evaluate("window.__stillHere") is True          # no reload
    shot(page, "admin-scans-completed")
    scan = console.api_get("erin", "/scans", {"env_name": console.env, "id": scan_id})
    assert scan["status"] in FINAL and scan["origin"] == "manual scan"
    row.locator("a", has_text="Report").click()
    page.wait_for_selector("#scan-report")
    objects = page.locator("#scan-report .section-card h3").first.inner_text()
    assert objects == f"Objects ({sum(scan['report']['objects'].values())})"
    assert page.locator("#report-phases tr").count() == len(scan["report"]["phases"]) > 0
    assert page.locator("#report-calls tr").count() >= 1
    shot(page, "admin-scan-report", full_page=True)
    assert page.js_errors == []


def test_a_schedule_shows_its_next_run_and_fires(page, console, scan_manager, shot):
    login(page, "erin", console.users["erin"])
    page.goto(f"/new-scanning?env={console.env}&tab=schedule")
    first = datetime.now(timezone.utc).replace(microsecond=0) + timedelta(seconds=8)
    page.select_option('[name="recurrence"]', "HOURLY")
    page.check('[name="what"][value="scan_only_cliques"]')
    page.fill('[name="scheduled_timestamp"]', first.strftime("%Y-%m-%dT%H:%M:%S"))   # erin's zone: UTC (default)
    page.click("#schedule-save")
    page.wait_for_selector("#schedules tr.added")
    row = page.locator("#schedules tr.added")
    schedule_id = row.get_attribute("data-schedule")
    assert "Hourly" in row.inner_text()
    assert "in " in row.locator('[data-field="next-run"]').inner_text()
    shot(page, "admin-schedules")

    def fired():
        scans = console.api_get("erin", "/scans", {"env_name": console.env, "page_size": 50})["scans"]
        return [s for s in scans if s.get("origin") == "scheduled scan" and (s.get("submit_timestamp") or "") >= first.isoformat()[:19]]
    eventually(fired, timeout=60)
    doc = console.api_get("erin", "/scheduled_scans", {"env_name": console.env, "id": schedule_id})
    assert doc["scheduled_timestamp"].startswith((first + timedelta(hours=1)).isoformat()[:16])
    page.reload()
    assert "in 59 minutes" in page.locator(f'#schedules tr[data-schedule="{schedule_id}"] [data-field="next-run"]').inner_text() \
        or "in 1 hour" in page.locator(f'#schedules tr[data-schedule="{schedule_id}"]').inner_text()
    page.click(f'#schedules tr[data-schedule="{schedule_id}"] a')
    page.click("#schedule-delete")
    page.wait_for_selector("#schedules")
    assert page.locator(f'#schedules tr[data-schedule="{schedule_id}"]').count() == 0


def test_a_scan_spread_over_the_scan_workers_shows_them_in_its_report(page, console, scan_manager, rabbitmq, tmp_path,
                                                                     shot):
    from tests.scan_support.workers import Workers

    env = scan_manager.calipso_env
    with Workers(1, env, tmp_path / "workers", broker=rabbitmq, queue=env["CALIPSO_WORK_QUEUE"]):
        login(page, "erin", console.users["erin"], f"/new-scanning?env={console.env}")
        page.check('[name="distributed"]')
        page.check('[name="what"][value="scan_only_links"]')
        page.click("#scan-now")                                  # links only cannot be spread: said at the box
        error = page.locator('label:has([name="distributed"]) + .field-error')
        assert "a distributed scan takes a whole inventory" in error.inner_text()
        assert page.locator('[name="distributed"]').is_checked()
        shot(page, "admin-scan-distributed-refused")
        page.check('[name="what"][value="full"]')
        page.click("#scan-now")
        page.wait_for_selector("#scans tr.added")
        row = page.locator("#scans tr.added")
        scan_id = row.get_attribute("data-scan")
        page.wait_for_function(
            "id => ['completed', 'completed_with_errors', 'failed'].includes("
            "document.querySelector(`#scans tr[data-scan='${id}'] [data-field=status]`).textContent)",
            arg=scan_id, timeout=180_000)
        page.reload()
        row = page.locator(f"#scans tr[data-scan='{scan_id}']")
        assert "over scan workers" in row.inner_text()          # the list says how it was run
    scan = console.api_get("erin", "/scans", {"env_name": console.env, "id": scan_id})
    assert scan["status"] in FINAL and scan["distributed"] is True, scan.get("error")
    row.locator("a", has_text="Report").click()
    page.wait_for_selector("#report-workers")
    card = page.locator("#report-workers")
    assert card.locator("h3").inner_text() == "Scan workers (1)"
    parts = scan["report"]["distributed"]["parts"]
    assert f"in {parts} parts" in card.inner_text() and "worker-0" in card.inner_text()
    shot(page, "admin-scan-report-workers", full_page=True)
    assert page.js_errors == []
