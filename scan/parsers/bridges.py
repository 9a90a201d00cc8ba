"""`brctl show` (§4.5.13) and its JSON fallback `ip -d -j link show`."""

from __future__ import annotations

import json

from scan.parsers import ParseError, parser


@parser
def brctl_show(text: str) -> list[dict]:
    """[{bridge_name, bridge_id, stp_enabled, interfaces: [names]}]."""
    lines = text.splitlines()
    if not lines or not lines[0].startswith("bridge name"):
        raise ParseError("'brctl show' output lacks its header")
    out: list[dict] = []
    for line in lines[1:]:
        if not line.strip():
            continue
        if line[0] in "\t ":
            if not out:
                raise ParseError("continuation line before any bridge")
            out[-1]["interfaces"].append(line.strip())
            continue
        parts = line.split()
        if len(parts) < 3:
            raise ParseError(f"bridge line with fewer than 3 columns: {line.strip()[:60]!r}")
        out.append({"bridge_name": parts[0], "bridge_id": parts[1], "stp_enabled": parts[2],
                    "interfaces": parts[3:]})
    return out


@parser
def ip_json_bridges(text: str) -> list[dict]:
    try:
        links = json.loads(text)
    except ValueError:
        raise ParseError("'ip -d -j link show' output is not JSON") from None
    bridges = []
    for link in links:
        info = link.get("linkinfo") or {}
        if info.get("info_kind") == "bridge":
            data = info.get("info_data") or {}
            bridges.append({"bridge_name": link["ifname"], "bridge_id": data.get("bridge_id", ""),
                            "stp_enabled": "yes" if data.get("stp_state") else "no",
                            "interfaces": [x["ifname"] for x in links if x.get("master") == link["ifname"]]})
    return bridges
