#!/usr/bin/env python3
"""check_pnic_vpp.py [<interface>]: the VPP physical interface (the named one, else the first
*GigabitEthernet*) is up in `vppctl show hardware-interfaces`."""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, UsageError, first_line, main_of, run_command


def interface_state(text: str, name: str | None, marker: str) -> tuple[int, str]:
    for line in text.splitlines():
        words = line.split()
        if len(words) < 3 or line.startswith(" "):
            continue
        if (name and words[0] == name) or (not name and marker in words[0]):
            state = words[2]
            return (OK if state == "up" else CRITICAL), f"{words[0]} is {state}"
    return CRITICAL, f"no interface {'named ' + name if name else 'matching ' + marker}"


def check(args: list[str], run=run_command) -> tuple[int, str]:
    if len(args) > 1 or any(a.startswith("-") for a in args):
        raise UsageError("usage: check_pnic_vpp.py [<interface>]")
    status, out, err = run(["sudo", "vppctl", "show", "hardware-interfaces"])
    if status != 0:
        return CRITICAL, f"vppctl failed: {first_line(err or out)}"
    return interface_state(out, args[0] if args else None, "GigabitEthernet")


if __name__ == "__main__":
    main_of(check)
