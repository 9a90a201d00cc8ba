#!/usr/bin/env python3
"""check_instance_vnic.py <namespace> <mac>: the instance vNIC answers in its network: its MAC is in
the ARP table of the network's DHCP namespace (flag C: complete -> OK; incomplete -> warning;
absent -> critical)."""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, WARNING, first_line, main_of, positional, run_command


def arp_entry(text: str, mac: str) -> tuple[int, str]:
    mac = mac.lower()
    for line in text.splitlines()[1:]:
        words = line.split()
        if mac in (w.lower() for w in words):
            i = [w.lower() for w in words].index(mac)
            flags = words[i + 1] if i + 1 < len(words) else ""
            if "C" in flags or "M" in flags:
                return OK, f"{mac} at {words[0]} (flags {flags})"
            return WARNING, f"{mac} at {words[0]}: entry incomplete (flags {flags or 'none'})"
    return CRITICAL, f"{mac} not in the ARP table"


def check(args: list[str], run=run_command) -> tuple[int, str]:
    ns, mac = positional(args, ["namespace", "mac"], "check_instance_vnic.py <namespace> <mac>")
    status, out, err = run(["sudo", "ip", "netns", "exec", ns, "arp", "-n"])
    if status != 0:
        return CRITICAL, f"{ns}: {first_line(err or out) or 'arp failed'}"
    return arp_entry(out, mac)


if __name__ == "__main__":
    main_of(check)
