"""The hover card of an object or a link: the attributes `attributes_for_hover_on_data` names (spec §8.2).

The union of the `ALL` entry and the entry for the object's type (`link` for links), in that
order, without repeats. An attribute may be a path (a list of keys) into nested documents;
it is shown as a dotted name. Values are made plain (text, numbers, lists, objects) so any
client can show them; the page renders them as text, never as markup.
"""

from __future__ import annotations

from typing import Iterable

from app.plain import plain

Attr = tuple[str, tuple[str, ...]]   # (label, path)


def _attr(a) -> Attr | None:
    if isinstance(a, str) and a:
        return a, (a,)
    if isinstance(a, (list, tuple)) and a and all(isinstance(p, str) for p in a):
        return ".".join(a), tuple(a)
    return None


class HoverSpec:
    """Per type, the ordered attributes of its hover card, and the type's one-line description."""

    def __init__(self, docs: Iterable[dict]):
        self.attrs: dict[str, list[Attr]] = {}
        self.tooltips: dict[str, str] = {}
        for d in docs:
            t = d.get("type")
            if not isinstance(t, str):
                continue
            self.attrs[t] = [a for a in (_attr(x) for x in d.get("attributes") or []) if a]
            if isinstance(d.get("tooltip"), str):
                self.tooltips[t] = d["tooltip"]

    def for_type(self, obj_type: str) -> list[Attr]:
        seen: set[str] = set()
        out: list[Attr] = []
        for label, path in self.attrs.get("ALL", []) + self.attrs.get(obj_type, []):
            if label not in seen:
                seen.add(label)
                out.append((label, path))
        return out

    def card(self, doc: dict, obj_type: str) -> list[list]:
        """[[label, value], ...] for the attributes the document has."""
        out = []
        for label, path in self.for_type(obj_type):
            value = lookup(doc, path)
            if value is not None and value != "":
                out.append([label, plain(value)])
        return out


def lookup(doc: dict, path: tuple[str, ...]):
    value = doc
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return None
        value = value[key]
    return value
