"""A full scan of the bed, an unchanged rescan right after it, and `calipso path` asked for every instance pair."""

from __future__ import annotations

import itertools
import json
import subprocess
import sys
import time

from tests.acceptance.table import Row


def scan(store, env: str, log) -> tuple[Row, dict]:
    from scan.controller import ScanController, ScanOptions
    started = time.monotonic()
    res = ScanController(store, ScanOptions(env=env)).run()
    if res.report.get("errors"):
        log(f"scan errors: {res.report['errors']}")
    return Row("scan", "status (exit code)", f"{res.status} ({res.exit_code}) in {time.monotonic() - started:.0f} s",
               res.exit_code == 0), res.report


def rescan_rows(report: dict) -> list[Row]:
    """What a rescan of an unchanged cloud wrote: documents by collection, and changes it logged."""
    writes = report.get("store_writes") or {}
    changes = report.get("changes") or {}
    n_writes = sum(writes.values())
    n_changes = sum(n for part in changes.values() for n in part.values())   # {"objects": {"added": n, ...}, ...}
    detail = ", ".join(f"{k} {v}" for k, v in sorted(writes.items()) if v) or "none"
    return [Row("rescan", f"unchanged cloud: documents written ({detail})", n_writes, n_writes == 0),
            Row("rescan", "unchanged cloud: changes logged", n_changes, n_changes == 0)]


def path_answer(env: str, source: str, target: str, run=subprocess.run) -> dict | None:
    """What `calipso path -e ENV SOURCE TARGET --format json` answers (exit 1: no path; None: it failed)."""
    res = run([sys.executable, "-m", "app.cli.main", "path", "-e", env, source, target, "--format", "json"],
              capture_output=True, text=True, timeout=120)
    if res.returncode not in (0, 1):
        return None
    try:
        return json.loads(res.stdout)
    except ValueError:
        return None


def path_answers(env: str, server_ids: list[str], ask=path_answer) -> dict[tuple[str, str], dict | None]:
    return {(a, b): ask(env, a, b) for a, b in itertools.combinations(sorted(server_ids), 2)}
