"""Result handlers by target: object type (or `link`) -> "module:function"; `*` is the default.

A handler is `fn(stored document, Target, CheckResult, status labels) -> Change` (see
monitoring.results.apply). DERIVED lists object types whose status feeds a derived link status.
"""

from __future__ import annotations

from typing import Callable

from app.registry import load_object

HANDLERS: dict[str, str] = {
    "link": "monitoring.results.apply:link",
    "otep": "monitoring.results.apply:otep",
    "*": "monitoring.results.apply:basic",   # vedge, host_pnic, vconnector, vservice, instance, vnic ...
}

#: link type derived from both ends' status (spec §4.9 #6): source type, target type
DERIVED_LINKS: dict[str, tuple[str, str]] = {"vedge-host_pnic": ("vedge", "host_pnic")}


def load_handlers(table: dict[str, str] | None = None) -> dict[str, Callable]:
    return {key: load_object(spec) for key, spec in (table or HANDLERS).items()}
