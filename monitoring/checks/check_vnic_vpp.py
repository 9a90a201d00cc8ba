#!/usr/bin/env python3
"""check_vnic_vpp.py [<interface>]: the VPP virtual interface (the named one, else the first
Virtual*) is up in `vppctl show hardware-interfaces`."""

from __future__ import annotations

from calipso_plugin import CRITICAL, UsageError, first_line, main_of, run_command
from check_pnic_vpp import interface_state


def check(args: list[str], run=run_command) -> tuple[int, str]:
    if len(args) > 1 or any(a.startswith("-") for a in args):
        raise UsageError("usage: check_vnic_vpp.py [<interface>]")
    status, out, err = run(["sudo", "vppctl", "show", "hardware-interfaces"])
    if status != 0:
        return CRITICAL, f"vppctl failed: {first_line(err or out)}"
    return interface_state(out, args[0] if args else None, "Virtual")


if __name__ == "__main__":
    main_of(check)
