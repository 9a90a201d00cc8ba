"""What runs after a full scan (and alone with `--monitoring_setup_only`): a table of "module:function".

The scanner knows these services only by name, never by their internals: each hook is
`fn(store, env, clients) -> dict` with the access clients of the scan (SSH to the master host
among them), returning a report whose `errors` ({host: [reason]}) make the scan complete with
errors. Names are resolved when a scan starts, so a typo fails at once with a hint.
"""

from __future__ import annotations

from typing import Callable

from app.registry import did_you_mean, load_object

POST_SCAN_HOOKS: dict[str, str] = {
    "monitoring": "monitoring.hook:after_scan",   # Sensu configuration, stored / written / deployed
}


def load_hooks(table: dict[str, str] | None = None) -> dict[str, Callable]:
    out = {}
    table = POST_SCAN_HOOKS if table is None else table
    for name, spec in table.items():
        try:
            out[name] = load_object(spec)
        except (ImportError, AttributeError) as e:
            raise ImportError(f"post-scan hook {name!r}: cannot load {spec!r}: {e}"
                              + did_you_mean(name, table)) from None
    return out
