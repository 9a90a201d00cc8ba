"""libvirt: `virsh list` and `virsh dumpxml` (§4.5.15). XML becomes a dict with `@attribute` keys."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from scan.parsers import ParseError, parser


@parser
def virsh_list(text: str) -> list[dict]:
    lines = text.splitlines()
    if len(lines) < 2 or not lines[0].split()[:2] == ["Id", "Name"]:
        raise ParseError("'virsh list' output lacks its header")
    out = []
    for line in lines[2:]:
        parts = line.split()
        if len(parts) >= 2:
            out.append({"id": parts[0], "name": parts[1], "state": " ".join(parts[2:])})
    return out


def _to_dict(el: ET.Element):
    d: dict = {f"@{k}": v for k, v in el.attrib.items()}
    for child in el:
        value = _to_dict(child)
        if child.tag in d:
            if not isinstance(d[child.tag], list):
                d[child.tag] = [d[child.tag]]
            d[child.tag].append(value)
        else:
            d[child.tag] = value
    text = (el.text or "").strip()
    if text:
        if not d:
            return text
        d["#text"] = text
    return d


@parser
def dumpxml(text: str) -> dict:
    try:
        root = ET.fromstring(text.strip())
    except ET.ParseError as e:
        raise ParseError(f"'virsh dumpxml' output is not XML: {e}") from None
    if root.tag != "domain":
        raise ParseError("'virsh dumpxml' root element is not <domain>")
    return _to_dict(root)


def interfaces(domain: dict) -> list[dict]:
    ifs = (domain.get("devices") or {}).get("interface") or []
    return ifs if isinstance(ifs, list) else [ifs]
