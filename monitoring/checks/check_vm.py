#!/usr/bin/env python3
"""check_vm.py <domain>: the instance's libvirt domain state: running OK, shut off warning, else critical."""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, WARNING, first_line, main_of, positional, run_command


def judge(state_text: str, domain: str) -> tuple[int, str]:
    state = first_line(state_text)
    if state == "running":
        return OK, f"{domain} is running"
    if state == "shut off":
        return WARNING, f"{domain} is shut off"
    return CRITICAL, f"{domain} is {state or 'in no known state'}"


def check(args: list[str], run=run_command) -> tuple[int, str]:
    (domain,) = positional(args, ["domain"], "check_vm.py <domain>")
    status, out, err = run(["sudo", "virsh", "domstate", domain])
    if status != 0:
        return CRITICAL, f"{domain}: {first_line(err or out) or 'virsh failed'}"
    return judge(out, domain)


if __name__ == "__main__":
    main_of(check)
