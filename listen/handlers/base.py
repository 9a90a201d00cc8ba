"""The handler family: one Protocol, helpers to read payload fields with a clear error."""

from __future__ import annotations

from typing import Any, Protocol

from listen.envelope import BadMessage, Notification
from listen.plan import Plan


class Handler(Protocol):
    """Turns one notification into a Plan; raises BadMessage when the payload lacks what it needs."""

    def plan(self, n: Notification) -> Plan: ...


def need(n: Notification, *path: str) -> Any:
    """payload[path...], or BadMessage naming the missing field."""
    value: Any = n.payload
    for i, key in enumerate(path):
        if not isinstance(value, dict) or value.get(key) in (None, ""):
            raise BadMessage(f"{n.event_type}: payload field {'.'.join(path[:i + 1])} is missing", n.event_type)
        value = value[key]
    return value


def opt(n: Notification, *path: str) -> Any:
    value: Any = n.payload
    for key in path:
        if not isinstance(value, dict):
            return None
        value = value.get(key)
    return value


def first(n: Notification, *paths: tuple[str, ...]) -> Any:
    """The first present field of several spellings (router.delete carries router_id, id or router.id)."""
    for p in paths:
        v = opt(n, *p)
        if v not in (None, ""):
            return v
    names = " or ".join(".".join(p) for p in paths)
    raise BadMessage(f"{n.event_type}: payload field {names} is missing", n.event_type)
