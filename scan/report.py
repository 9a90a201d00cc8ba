"""A scan's report, built phase by phase: what was found, what failed where, and what it cost.

`scan.controller.ScanController` decides when each part is filled in; the parts themselves are
plain dicts made here, so the report's shape is read in one place. Functions that learn of hosts
with errors or warnings return `Note`s (text, level, host) for the controller to leave as messages.
"""

from __future__ import annotations

import logging
from typing import NamedTuple

from scan.access.calls import CallStats
from scan.fetchers.base import ScanContext
from scan.layers import failed_layers

log = logging.getLogger("scan")

CLOUD = "(cloud)"   # the errors and warnings that belong to no one host


class Note(NamedTuple):
    text: str
    level: str
    host: str | None   # the host it is about, for the message's related object (None: the cloud)


def new_report() -> dict:
    """The parts every scan reports, empty until their phase runs."""
    return {"objects": {}, "links": {}, "cliques": {}, "phases": {}, "errors": {},
            "store_writes": {"inventory": 0, "links": 0, "cliques": 0}, "retired": {}}


def add_inventory(report: dict, placed, ctx: ScanContext, sid: str, ssh_connections: int | None) -> list[Note]:
    """The inventory phase's part: objects by type, errors and warnings by host, failed layers, hosts
    (and SSH connections opened, when a pool was used). Returns a note per host with warnings or errors."""
    counts: dict[str, int] = {}
    for (t, _) in placed:
        counts[t] = counts.get(t, 0) + 1
    report["objects"] = dict(sorted(counts.items()))
    report["errors"] = ctx.errors.as_dict()
    notes = []
    if ctx.warnings.count():
        report["warnings"] = ctx.warnings.as_dict()
        for host, msgs in report["warnings"].items():
            log.warning("%s: %s", host, "; ".join(msgs))
            notes.append(Note(f"{host}: {msgs[0]}", "warn", host if host != CLOUD else None))
    report["failed_layers"] = failed_layers(report["errors"])
    if ssh_connections is not None:
        report["ssh_connections"] = ssh_connections
    report["hosts"] = {"total": len(ctx.found.of_type("host")),
                       "with_errors": len([h for h in report["errors"] if h != CLOUD])}
    for host, msgs in report["errors"].items():
        notes.append(Note(f"{host}: {len(msgs)} error(s) during scan {sid}: {msgs[0]}", "error",
                          host if host != CLOUD else None))
    return notes


def add_totals(report: dict, stats: CallStats, seconds: float) -> None:
    """The whole scan's part: its duration, remote calls, and remote calls and writes per object found."""
    report["seconds"] = round(seconds, 3)
    report["remote_calls"] = stats.as_dict()
    total = sum(report["objects"].values()) or 0
    calls = stats.total_calls()
    writes = report["store_writes"]["inventory"]
    report["per_object"] = {"remote_calls": round(calls / total, 3) if total else None,
                            "store_writes": round(writes / total, 3) if total else None}


def outcome(report: dict, sid: str, env: str, status: str, reason: str) -> Note:
    """The line a finished scan leaves: why it failed, or what it found and how many errors."""
    if status == "failed":
        return Note(f"scan {sid} of {env} failed: {reason}", "error", None)
    errs = sum(len(v) for v in (report.get("errors") or {}).values())
    return Note(f"scan {sid} of {env} {status.replace('_', ' ')}: {sum(report['objects'].values()) or 0} objects, "
                f"{sum(report['links'].values())} links, {sum(report['cliques'].values())} cliques, {errs} errors",
                "warn" if errs else "info", None)
