#!/usr/bin/env python3
"""check_pnic_ovs.py <interface>: the physical NIC's link is up (`ip link show <interface>`)."""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, first_line, main_of, positional, run_command


def parse(text: str, nic: str) -> tuple[int, str]:
    header = next((l for l in text.splitlines() if l[:1].isdigit() and f": {nic}" in l), "")
    if not header:
        return CRITICAL, f"{nic}: no such interface"
    if " state UP " not in header:
        state = header.split(" state ")[1].split()[0] if " state " in header else "unknown"
        return CRITICAL, f"{nic} is {state}: {header.strip()}"
    return OK, f"{nic} is UP"


def check(args: list[str], run=run_command) -> tuple[int, str]:
    (nic,) = positional(args, ["interface"], "check_pnic_ovs.py <interface>")
    status, out, err = run(["ip", "link", "show", nic])
    if status != 0:
        return CRITICAL, f"{nic}: {first_line(err or out) or f'ip link show failed ({status})'}"
    return parse(out, nic)


if __name__ == "__main__":
    main_of(check)
