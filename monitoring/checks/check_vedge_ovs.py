#!/usr/bin/env python3
"""check_vedge_ovs.py: both Open vSwitch daemons (ovs-vswitchd, ovsdb-server) run, and when they run
under a monitor process, the monitor calls them healthy."""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, UsageError, first_line, main_of, run_command

DAEMONS = ("ovsdb-server", "ovs-vswitchd")


def parse(ps_args: str) -> tuple[int, str]:
    problems, seen = [], []
    lines = [l.strip() for l in ps_args.splitlines()]
    for daemon in DAEMONS:
        monitors = [l for l in lines if l.startswith(f"{daemon}: monitoring pid")]
        running = [l for l in lines if l.split()[:1] and l.split()[0].rsplit("/", 1)[-1] == daemon]
        if monitors and not all(l.endswith("(healthy)") for l in monitors):
            problems.append(f"{daemon}: {monitors[0]}")
        elif not monitors and not running:
            problems.append(f"{daemon} is not running")
        else:
            seen.append(daemon)
    if problems:
        return CRITICAL, "; ".join(problems)
    return OK, f"{' and '.join(seen)} running"


def check(args: list[str], run=run_command) -> tuple[int, str]:
    if args:
        raise UsageError("usage: check_vedge_ovs.py")
    status, out, err = run(["ps", "-e", "-o", "args="])
    if status != 0:
        return CRITICAL, f"ps failed: {first_line(err or out)}"
    return parse(out)


if __name__ == "__main__":
    main_of(check)
