"""libvirt: `virsh list` and `virsh dumpxml` (§4.5.15). XML becomes a dict with `@attribute` keys."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from sys import intern

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
    # names are interned: each parse makes its own strings of them, and 10,000 vNICs' interface dicts
    # kept 190,000 copies of the same few dozen names (9.5 MB for 10,000 interfaces, tracemalloc)
    d: dict = {intern("@" + k): v for k, v in el.attrib.items()}
    for child in el:
        value = _to_dict(child)
        tag = intern(child.tag)
        if tag in d:
            if not isinstance(d[tag], list):
                d[tag] = [d[tag]]
            d[tag].append(value)
        else:
            d[tag] = value
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
