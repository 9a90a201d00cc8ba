"""Check name -> what it is about (spec §4.9): the longest known type that prefixes the name.

`link_<link type>_<source id>_<target id>` for links; `<object type>_<id>[_<part>]` for objects,
where `<part>` is an OTEP's port, or the `vm` subtype of an instance's VM check. Ids are decoded
with monitoring.ids (our names escape `_` inside ids, so the parts split without guessing).
"""

from __future__ import annotations

from dataclasses import dataclass

from monitoring.ids import decode_id
from monitoring.results.events import BadEvent

SUBTYPES = ("vm",)


@dataclass(frozen=True)
class Target:
    kind: str                 # object | link
    type: str                 # object type or link type
    id: str                   # object id, or link's source id
    target_id: str = ""       # link target
    part: str = ""            # otep port name
    subtype: str = ""


def _longest(name: str, types: list[str]) -> str | None:
    best = None
    for t in types:
        if name.startswith(t + "_") and (best is None or len(t) > len(best)):
            best = t
    return best


def decode(check_name: str, object_types: list[str], link_types: list[str]) -> Target:
    if check_name.startswith("link_"):
        rest = check_name[len("link_"):]
        lt = _longest(rest, link_types)
        if lt is None:
            raise BadEvent(f"check {check_name!r}: no known link type after 'link_'")
        ends = rest[len(lt) + 1:].split("_")
        if len(ends) != 2 or not all(ends):
            raise BadEvent(f"check {check_name!r}: expected link_{lt}_<source id>_<target id>")
        return Target("link", lt, decode_id(ends[0]), decode_id(ends[1]))
    ot = _longest(check_name, object_types)
    if ot is None:
        raise BadEvent(f"check {check_name!r}: does not start with a known object type")
    parts = check_name[len(ot) + 1:].split("_")
    if not parts[0]:
        raise BadEvent(f"check {check_name!r}: no object id after '{ot}_'")
    subtype = part = ""
    if len(parts) > 1 and parts[-1] in SUBTYPES:
        subtype = parts.pop()
    if len(parts) == 2 and ot == "otep":
        part = decode_id(parts.pop())
    if len(parts) != 1:   # a name from the original with '_' inside an id: take the rest as the id
        parts = ["_".join(parts)]
    return Target("object", ot, decode_id(parts[0]), part=part, subtype=subtype)
