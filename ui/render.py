"""Pages from jinja2 templates, autoescaped, with what every page's layout needs."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import jinja2

TEMPLATES = Path(__file__).resolve().parent / "templates"


def _parse(value) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=timezone.utc)
    if isinstance(value, str) and value:
        try:
            d = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
        return d if d.tzinfo else d.replace(tzinfo=timezone.utc)
    return None


def when(value) -> str:
    d = _parse(value)
    return d.strftime("%Y-%m-%d %H:%M:%S UTC") if d else ("—" if not value else str(value))


def ago(value) -> str:
    d = _parse(value)
    if d is None:
        return "never" if not value else str(value)
    s = int((datetime.now(timezone.utc) - d).total_seconds())
    if s < 0:
        return "in the future"
    for size, unit in ((86400, "day"), (3600, "hour"), (60, "minute")):
        if s >= size:
            n = s // size
            return f"{n} {unit}{'s' if n > 1 else ''} ago"
    return "just now"


def pretty(value) -> str:
    return json.dumps(value, indent=2, sort_keys=True, ensure_ascii=False, default=str)


def make_env(extra_dirs: list[Path] | None = None) -> jinja2.Environment:
    loader = jinja2.FileSystemLoader([str(TEMPLATES), *(str(d) for d in extra_dirs or [])])
    env = jinja2.Environment(loader=loader, autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(when=when, ago=ago, pretty=pretty)
    return env
