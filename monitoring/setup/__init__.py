"""Which checks each inventory object (or link) gets (spec §4.5): object type -> "module:function".

A setup function is `fn(obj, ctx) -> Iterable[Check]`: pure, from the stored object and the
context's lookups to the checks to render. A new monitored type is one small module plus one
line here; names are resolved (and a typo refused with a hint) when the table is loaded.
Links are keyed `link:<link type>`.
"""

from __future__ import annotations

from typing import Callable

from app.registry import did_you_mean, load_object

SETUPS: dict[str, str] = {
    "otep": "monitoring.setup.objects:otep",
    "vedge": "monitoring.setup.objects:vedge",
    "host_pnic": "monitoring.setup.objects:host_pnic",
    "vconnector": "monitoring.setup.objects:vconnector",
    "vservice": "monitoring.setup.objects:vservice",
    "instance": "monitoring.setup.objects:instance",
    "vnic": "monitoring.setup.vnics:vnic",
    "link:vnic-vconnector": "monitoring.setup.vnics:link_vnic_vconnector",
}


def load_setups(table: dict[str, str] | None = None) -> dict[str, Callable]:
    out = {}
    for key, spec in (table or SETUPS).items():
        try:
            out[key] = load_object(spec)
        except (ImportError, AttributeError) as e:
            module = spec.partition(":")[0]
            raise ImportError(f"monitoring setup {key!r}: cannot load {spec!r}: {e}"
                              + did_you_mean(spec, [f"{module}:{n}" for n in _names(module)])) from None
    return out


def _names(module: str) -> list[str]:
    try:
        import importlib
        return [n for n in dir(importlib.import_module(module)) if not n.startswith("_")]
    except ImportError:
        return []
