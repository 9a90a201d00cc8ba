"""VPP: `vppctl show ver|int|mode|hardware-interfaces` (§4.5.16)."""

from __future__ import annotations

from scan.parsers import ParseError, parser


@parser
def show_version(text: str) -> str:
    first = text.strip().splitlines()[:1]
    if not first:
        raise ParseError("empty 'vppctl show ver'")
    return " ".join(first[0].split()[:2])


@parser
def show_int(text: str) -> list[dict]:
    ports = []
    for line in text.splitlines()[1:]:
        if not line.strip() or line[0] == " ":
            continue
        parts = line.split()
        if len(parts) < 3:
            raise ParseError(f"'vppctl show int' line too short: {line[:60]!r}")
        ports.append({"name": parts[0], "id": parts[1], "state": parts[2]})
    return ports


@parser
def show_mode(text: str) -> list[dict]:
    out = []
    for line in text.splitlines():
        words = line.split()
        if words[:2] == ["l2", "bridge"] and len(words) >= 5 and words[3] == "bd_id":
            out.append({"interface": words[2], "bd_id": words[4]})
    return out


@parser
def hardware_interfaces(text: str) -> dict[str, dict]:
    out: dict[str, dict] = {}
    cur = None
    for line in text.splitlines()[1:]:
        if not line.strip():
            continue
        if line[0] != " ":
            parts = line.split()
            if len(parts) >= 3:
                cur = out.setdefault(parts[0], {"name": parts[0], "id": parts[1], "state": parts[2],
                                                "hardware": " ".join(parts[3:])})
            continue
        s = line.strip()
        if cur is not None and s.startswith("Ethernet address "):
            cur["mac_address"] = s.split()[-1].lower()
    return out
