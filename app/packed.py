"""Long lists of same-shaped dicts, held as tuples until they are written or hashed.

A full tunnel mesh gives every vEdge (and its OTEP) one port per other host, each a dict of four
fields with an options dict of six: a million ports at 1,000 hosts, 456 bytes each as dicts, over
half of a scan's memory. Packed, a port is two tuples (about 180 bytes), its keys held once per
shape. Readers see a sequence of dicts; what stores or hashes documents unpacks it
(app.keyenc.encode, app.diffing.canonical_bytes), so the stored form and the content hash are
those of the plain list.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import islice
from typing import Any, Iterable, Iterator


class _Shape(tuple):
    """The keys of a packed dict, in order, and which of its values are packed dicts themselves;
    a row is (shape, value, ...)."""

    nested: tuple[str, ...] = ()


def _pack(d: dict, shapes: dict[tuple, _Shape]) -> tuple:
    nested = tuple(k for k, v in d.items() if type(v) is dict)
    signature = (tuple(d), nested)
    shape = shapes.get(signature)
    if shape is None:
        shape = shapes[signature] = _Shape(d)
        shape.nested = nested
    return (shape, *(_pack(v, shapes) if type(v) is dict else v for v in d.values()))


def _unpack(row: tuple) -> dict:
    shape = row[0]
    d = dict(zip(shape, islice(row, 1, None)))
    for k in shape.nested:
        d[k] = _unpack(d[k])
    return d


class PackedDicts(Sequence):
    """A read-only list of dicts (nested dicts included) packed as tuples; each item read is a new dict."""

    __slots__ = ("_rows",)
    __hash__ = None   # type: ignore[assignment]

    def __init__(self, dicts: Iterable[dict]):
        shapes: dict[tuple, _Shape] = {}
        self._rows = [_pack(d, shapes) for d in dicts]

    def __len__(self) -> int:
        return len(self._rows)

    def __getitem__(self, i):  # type: ignore[override]
        if isinstance(i, slice):
            return [_unpack(r) for r in self._rows[i]]
        return _unpack(self._rows[i])

    def __iter__(self) -> Iterator[dict]:
        return map(_unpack, self._rows)

    def unpack(self) -> list[dict]:
        """The plain list, as it is stored and hashed."""
        return [_unpack(r) for r in self._rows]

    def __eq__(self, other: Any) -> bool:
        if isinstance(other, PackedDicts):
            return self._rows == other._rows
        return isinstance(other, list) and self.unpack() == other

    def __repr__(self) -> str:
        return f"PackedDicts({self.unpack()!r})"


def keys_clean(value) -> bool:
    """Whether every key in the value is text that needs no encoding (no `.`, `[`, leading `$`); a packed
    list never is, so app.keyenc.encode unpacks it. Here, beside that type, so that keyenc imports this
    module and never the reverse."""
    if isinstance(value, dict):
        try:
            keys = "\x00".join(value)          # TypeError: a key that is not text
        except TypeError:
            return False
        if "." in keys or "[" in keys or ("$" in keys and "\x00$" in "\x00" + keys):
            return False
        value = value.values()
    for v in value:
        tv = type(v)
        if tv is str:
            continue
        if tv is PackedDicts:
            return False
        if (tv is dict or tv is list or isinstance(v, (dict, list))) and not keys_clean(v):
            return False
    return True


def pack(dicts: list[dict]) -> Sequence[dict]:
    """`dicts` packed when they are all plain dicts whose keys the store takes as they are (even a few:
    every scan then takes the same path); else the list as it is."""
    if not dicts or not all(type(d) is dict for d in dicts) or not keys_clean(dicts):
        return dicts
    return PackedDicts(dicts)
