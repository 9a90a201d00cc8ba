"""The acceptance table: one row per measure, its value and whether its goal is met."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Row:
    area: str
    measure: str
    value: object
    ok: bool


def format_table(rows: list[Row]) -> str:
    """Rows grouped by area in the order given, `met` or `MISSED` at the end of each."""
    if not rows:
        return "(nothing was measured)"
    aw = max(4, *(len(r.area) for r in rows)) + 2
    mw = max(len(r.measure) for r in rows) + 2
    vw = max(5, *(len(str(r.value)) for r in rows)) + 2
    lines = [f"{'area':<{aw}}{'measure':<{mw}}{'value':<{vw}}goal", "-" * (aw + mw + vw + 6)]
    lines += [f"{r.area:<{aw}}{r.measure:<{mw}}{str(r.value):<{vw}}{'met' if r.ok else 'MISSED'}" for r in rows]
    missed = sum(not r.ok for r in rows)
    lines.append(f"{len(rows) - missed} of {len(rows)} goals met" + (f"; {missed} MISSED" if missed else ""))
    return "\n".join(lines)
