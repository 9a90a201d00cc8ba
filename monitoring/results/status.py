"""The status model (spec §4.10): Sensu exit code -> status label, message level, stored fields.

Labels come from the `monitoring_check_statuses` constants (OK/Warning/Error). An exit code
beyond them (Sensu's 3, "unknown") is stored as `Unknown` with level warn instead of crashing
as the original did (spec §6.2 #24).
"""

from __future__ import annotations

from datetime import datetime

DEFAULT_LABELS = {0: "OK", 1: "Warning", 2: "Error"}
LEVELS = {0: "info", 1: "warn", 2: "error"}
UNKNOWN = "Unknown"


def labels_from_constants(store) -> dict[int, str]:
    doc = store["constants"].find_one({"name": "monitoring_check_statuses"}) or {}
    out = {}
    for item in doc.get("data") or []:
        try:
            out[int(item["value"])] = str(item["label"])
        except (KeyError, TypeError, ValueError):
            continue
    return out or dict(DEFAULT_LABELS)


def label(value: int, labels: dict[int, str]) -> str:
    return labels.get(value, UNKNOWN)


def level(value: int) -> str:
    return LEVELS.get(value, "warn")


def fields(value: int, text: str, when: datetime, labels: dict[int, str]) -> dict:
    return {"status": label(value, labels), "status_value": value, "status_text": text[:4000],
            "status_timestamp": when}


def otep_overall(ports: list[dict]) -> int | None:
    """Error if no checked port is OK, Warning if some checked port is not OK, else OK (spec §4.9,
    with the original's `Critical` mix-up fixed: an errored port does degrade the OTEP)."""
    values = [p["status_value"] for p in ports if isinstance(p.get("status_value"), int)]
    if not values:
        return None
    if not any(v == 0 for v in values):
        return 2
    return 1 if any(v != 0 for v in values) else 0


def derived_link(a: int | None, b: int | None) -> int | None:
    """vEdge–pNIC link: OK when both ends are OK, otherwise Warning; nothing until both ends reported."""
    if a is None or b is None:
        return None
    return 0 if a == 0 and b == 0 else 1
