#!/usr/bin/env python3
"""check_vservice.py <service type> <namespace>: the service's process in its namespace runs
(`ip netns pid`, then `ps`); for DHCP the dnsmasq process. State S or R is OK."""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, first_line, main_of, positional, run_command


def processes(ps_text: str) -> list[tuple[str, str, str]]:
    """`ps -o pid=,stat=,args=` rows as (pid, stat, args)."""
    rows = []
    for line in ps_text.splitlines():
        words = line.split(None, 2)
        if len(words) == 3 and words[0].isdigit():
            rows.append((words[0], words[1], words[2]))
    return rows


def judge(rows: list[tuple[str, str, str]], service_type: str, ns: str) -> tuple[int, str]:
    if service_type == "dhcp":
        rows = [r for r in rows if "dnsmasq" in r[2]]
        if not rows:
            return CRITICAL, f"no dnsmasq process in {ns}"
    if not rows:
        return CRITICAL, f"no process in {ns}"
    pid, stat, args = rows[0]
    if stat[:1] in ("S", "R"):
        return OK, f"{service_type} in {ns}: pid {pid} state {stat}: {args[:80]}"
    return CRITICAL, f"{service_type} in {ns}: pid {pid} state {stat}"


def check(args: list[str], run=run_command) -> tuple[int, str]:
    service_type, ns = positional(args, ["service type", "namespace"], "check_vservice.py <service type> <namespace>")
    status, out, err = run(["sudo", "ip", "netns", "pid", ns])
    if status != 0:
        return CRITICAL, f"{ns}: {first_line(err or out) or 'ip netns pid failed'}"
    pids = [p for p in out.split() if p.isdigit()]
    if not pids:
        return CRITICAL, f"no process in {ns}"
    status, out, err = run(["ps", "-o", "pid=,stat=,args=", "-p", ",".join(pids)])
    if status not in (0, 1):
        return CRITICAL, f"ps failed: {first_line(err or out)}"
    return judge(processes(out), service_type, ns)


if __name__ == "__main__":
    main_of(check)
