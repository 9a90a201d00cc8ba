#!/usr/bin/env python3
"""check_vedge_vpp.py: VPP is running and finished its start-up configuration (`vppctl show runtime`)."""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, WARNING, UsageError, first_line, main_of, run_command


def parse(text: str) -> tuple[int, str]:
    line = next((l for l in text.splitlines() if "startup-config-process" in l), "")
    if "done" in line.split():
        return OK, "VPP is running, start-up configuration done"
    return WARNING, "VPP is running, start-up configuration not done" if line else "VPP shows no start-up process"


def check(args: list[str], run=run_command) -> tuple[int, str]:
    if args:
        raise UsageError("usage: check_vedge_vpp.py")
    status, out, err = run(["sudo", "vppctl", "show", "runtime"])
    if status != 0:
        return CRITICAL, f"VPP does not answer: {first_line(err or out)}"
    return parse(out)


if __name__ == "__main__":
    main_of(check)
