"""Next run of a scheduled scan (spec §7.3, with the V1/V2 weaknesses fixed, §9.37-38).

Calendar-aware recurrences; the next run follows the *scheduled* time (no drift), skipping
runs missed while no manager was up; both the V2 `recurrence` and the V1 `freq` fields work.
"""

from __future__ import annotations

import calendar
from datetime import datetime, timedelta

RECURRENCES = ("ONCE", "HOURLY", "DAILY", "WEEKLY", "MONTHLY", "YEARLY")


def add_months(t: datetime, months: int) -> datetime:
    m = t.month - 1 + months
    year, month = t.year + m // 12, m % 12 + 1
    day = min(t.day, calendar.monthrange(year, month)[1])
    return t.replace(year=year, month=month, day=day)


def step(t: datetime, recurrence: str) -> datetime | None:
    r = recurrence.upper()
    if r == "HOURLY":
        return t + timedelta(hours=1)
    if r == "DAILY":
        return t + timedelta(days=1)
    if r == "WEEKLY":
        return t + timedelta(weeks=1)
    if r == "MONTHLY":
        return add_months(t, 1)
    if r == "YEARLY":
        return add_months(t, 12)
    if r == "ONCE":
        return None
    raise ValueError(f"unknown recurrence {recurrence!r} (one of {', '.join(RECURRENCES)})")


def next_run(scheduled: datetime, recurrence: str, now: datetime) -> datetime | None:
    """The first run after `now` in the series that started at `scheduled`; None if it does not repeat."""
    t = step(scheduled, recurrence)
    while t is not None and t <= now:
        t = step(t, recurrence)
    return t


def recurrence_of(schedule: dict) -> str:
    return str(schedule.get("recurrence") or schedule.get("freq") or "ONCE").upper()
