"""Which access layer a scan error came from, so a report says what failed, not only where.

Errors are recorded as "<Fetcher> under <type> <id>: <reason>"; the fetcher's name says its
layer (ApiFetch… = the OpenStack API, DbFetch… = the database, CliFetch… = host commands over
SSH, AciFetch… = the APIC). An error without a fetcher name is a host-level SSH failure.
"""

from __future__ import annotations

PREFIXES = (("Api", "API"), ("Db", "DB"), ("Cli", "CLI"), ("Aci", "ACI"))


def layer_of(message: str) -> str:
    head = message.split(" ", 1)[0]
    for prefix, layer in PREFIXES:
        if head.startswith(prefix + "Fetch"):
            return layer
    return "CLI" if "SSH" in message else "scan"


def failed_layers(errors: dict[str, list[str]]) -> dict[str, int]:
    """layer -> number of errors, for the report (`failed_layers`) and the CLI summary."""
    out: dict[str, int] = {}
    for msgs in errors.values():
        for m in msgs:
            layer = layer_of(m)
            out[layer] = out.get(layer, 0) + 1
    return dict(sorted(out.items()))
