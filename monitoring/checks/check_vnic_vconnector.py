#!/usr/bin/env python3
"""check_vnic_vconnector.py <bridge> <mac>: the vNIC's MAC is in the bridge's forwarding table.

libvirt gives a VM's tap device the VM's MAC with a first octet of `fe`: that entry counts too
(the VM's own MAC shows only once it has sent traffic).
"""

from __future__ import annotations

from calipso_plugin import CRITICAL, OK, WARNING, first_line, main_of, positional, run_command
from check_vconnector import macs


def tap_mac(mac: str) -> str:
    return "fe" + mac[2:] if len(mac) == 17 else mac


def parse(text: str, bridge: str, mac: str) -> tuple[int, str]:
    mac = mac.lower()
    for wanted, what in ((mac, "vNIC"), (tap_mac(mac), "vNIC tap")):
        for found, local, ageing in macs(text):
            if found == wanted:
                return OK, f"{what} {found} on {bridge}: is local: {local}, ageing timer {ageing}"
    return WARNING, f"{mac} not in the forwarding table of {bridge}"


def check(args: list[str], run=run_command) -> tuple[int, str]:
    bridge, mac = positional(args, ["bridge", "mac"], "check_vnic_vconnector.py <bridge> <mac>")
    status, out, err = run(["brctl", "showmacs", bridge])
    if status != 0 or "No such device" in out + err:
        return CRITICAL, f"bridge {bridge}: {first_line(err or out) or 'brctl failed'}"
    return parse(out, bridge, mac)


if __name__ == "__main__":
    main_of(check)
