"""Host-level text: `/etc/os-release`, `ls -l /sys/class/net`, `ethtool`, bonding (§4.5.2-§4.5.7)."""

from __future__ import annotations

import re

from scan.parsers import ParseError, parser

OS_KEYS = {"NAME": "name", "VERSION": "version", "ID": "ID", "ID_LIKE": "ID_LIKE",
           "ARCHITECTURE": "architecture", "ARCHITECURE": "architecture"}


@parser
def os_release(text: str) -> dict:
    out = {}
    for line in text.splitlines():
        key, sep, value = line.partition("=")
        if sep and key.strip() in OS_KEYS:
            out[OS_KEYS[key.strip()]] = value.strip().strip('"')
    if not out:
        raise ParseError("no os-release fields")
    return out


@parser
def physical_interfaces(text: str) -> list[str]:
    """Names of the non-virtual devices in `ls -l /sys/class/net` (what a pNIC is)."""
    names = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("total"):
            continue
        if not line.startswith("l") or " -> " not in line:
            raise ParseError(f"not an 'ls -l' symlink line: {line[:60]!r}")
        target = line.split(" -> ", 1)[1]
        if "/virtual/" in target:
            continue
        names.append(target.rstrip("/").rsplit("/", 1)[-1])
    return names


ATTR = re.compile(r"^\s+([^:]+):\s(.*)$")
ATTR_EMPTY = re.compile(r"^\s+([^:]+):\s*$")


@parser
def ethtool(text: str) -> dict:
    """Attributes of `ethtool <if>`; continuation lines make the attribute a list."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("Settings for"):
        raise ParseError("ethtool output does not start with 'Settings for'")
    attrs: dict = {}
    last = None
    for line in lines[1:]:
        if not line.strip():
            continue
        m = ATTR.match(line) or ATTR_EMPTY.match(line)
        if m:
            last = m.group(1).strip()
            attrs[last] = m.group(2).strip() if m.lastindex and m.lastindex >= 2 else ""
        elif last is not None:
            prev = attrs[last]
            attrs[last] = (prev if isinstance(prev, list) else [prev]) + [line.strip()]
    return attrs


@parser
def sysfs_speed(text: str) -> str:
    """`/sys/class/net/<if>/speed` as ethtool says it: `10000Mb/s`, `Unknown!` for -1 (no link, virtio)."""
    value = text.strip()
    if not re.fullmatch(r"-?\d+", value):
        raise ParseError(f"speed is not a number: {value[:40]!r}")
    return "Unknown!" if int(value) < 0 else f"{int(value)}Mb/s"


@parser
def sysfs_duplex(text: str) -> str:
    """`/sys/class/net/<if>/duplex` (`full`, `half`, `unknown`) as ethtool says it: `Full`, `Half`, `Unknown!`."""
    value = text.strip().lower()
    if value not in ("full", "half", "unknown"):
        raise ParseError(f"duplex not understood: {value[:40]!r}")
    return "Unknown!" if value == "unknown" else value.capitalize()


IFNAME = re.compile(r"^[A-Za-z0-9_.@:-]{1,15}$")    # what Linux accepts (IFNAMSIZ 16 with the NUL)


@parser
def bond_names(text: str) -> list[str]:
    """`ls -1 /proc/net/bonding/ 2>&1`: bond names. An error line from ls (no bonding directory, no
    permission, another locale's wording) is never a name: only interface names are taken."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if any(line.startswith("ls:") for line in lines) or "No such file or directory" in text:
        return []
    for line in lines:
        if not IFNAME.match(line):
            raise ParseError(f"not an interface name: {line[:60]!r}")
    return lines


@parser
def bonding(text: str) -> dict:
    """`cat /proc/net/bonding/<bond>`: bond attributes and members (`Slave Interface:` blocks)."""
    bond: dict = {"members": {}}
    cur = bond
    group: dict | None = None
    for line in text.splitlines():
        s = line.strip()
        if not s:
            group = None
            continue
        if s.startswith("Ethernet Channel Bonding Driver"):
            bond["driver"] = s.split(":", 1)[-1].strip()
            continue
        if s.rstrip(":").lower().endswith("info"):
            group = cur.setdefault(s.rstrip(":"), {})
            continue
        key, sep, value = s.partition(":")
        if not sep:
            raise ParseError(f"bonding line without ':': {s[:60]!r}")
        key, value = key.strip(), value.strip()
        if key == "Slave Interface":
            cur = bond["members"].setdefault(value, {"name": value})
            group = None
            continue
        (group if group is not None else cur)[key] = value
    return bond
