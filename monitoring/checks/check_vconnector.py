#!/usr/bin/env python3
"""check_vconnector.py <bridge>: the Linux bridge exists and answers `brctl showmacs`."""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, first_line, main_of, positional, run_command


def macs(text: str) -> list[tuple[str, str, str]]:
    """`brctl showmacs` rows as (mac, is local, ageing timer)."""
    rows = []
    for line in text.splitlines()[1:]:
        words = line.split()
        if len(words) >= 4 and words[0].isdigit():
            rows.append((words[1].lower(), words[2], words[3]))
    return rows


def check(args: list[str], run=run_command) -> tuple[int, str]:
    (bridge,) = positional(args, ["bridge"], "check_vconnector.py <bridge>")
    status, out, err = run(["brctl", "showmacs", bridge])
    text = out + err
    if status != 0 or "No such device" in text:
        return CRITICAL, f"bridge {bridge}: {first_line(err or out) or 'brctl failed'}"
    return OK, f"bridge {bridge}: {len(macs(out))} MAC addresses"


if __name__ == "__main__":
    main_of(check)
