"""One entry of a scan's index of stored documents: the `_id`, the content hash, and the few other
fields a scan reads of every stored object or link (flags, what other writers set).

A rescan reads the index of every stored object and link before it fetches, and holds it to the
end. As dicts, the 111,779 entries of 1,000 hosts held 53 MB (500 bytes each, tracemalloc); most
hold nothing but `_id` and hash, which this keeps in slots, with a dict only for entries that have
more (flags, or what names them once described): 30 MB.
Readers see a mapping (`get`, `in`, items), as they saw the stored document's fields; naming an
entry (`update`, with what the store says of it) is the one change made to it.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from bson import ObjectId

_ABSENT = object()


class Indexed(Mapping):
    __slots__ = ("_id", "_hash", "_rest")

    def __init__(self, fields: dict):
        self._id = fields.pop("_id", _ABSENT)
        self._hash = fields.pop("_hash", _ABSENT)
        self._rest = fields or None

    def _own(self, key: str) -> Any:
        if key == "_hash":
            return self._hash
        if key == "_id":
            return self._id
        return _ABSENT if self._rest is None else self._rest.get(key, _ABSENT)

    def get(self, key: str, default: Any = None) -> Any:
        value = self._own(key)
        return default if value is _ABSENT else value

    def __getitem__(self, key: str) -> Any:
        value = self._own(key)
        if value is _ABSENT:
            raise KeyError(key)
        return value

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and self._own(key) is not _ABSENT

    def __iter__(self) -> Iterator[str]:
        yield from (k for k in ("_id", "_hash") if self._own(k) is not _ABSENT)
        yield from self._rest or ()

    def __len__(self) -> int:
        return sum(1 for _ in self)

    def update(self, fields: Mapping) -> None:
        """Add what the store says of the document (what names it, read when it is needed)."""
        for key, value in fields.items():
            if key in ("_id", "_hash"):
                setattr(self, key, value)
            else:
                if self._rest is None:
                    self._rest = {}
                self._rest[key] = value

    def __repr__(self) -> str:
        return f"Indexed({dict(self)!r})"


def indexed(docs: Iterable[dict]) -> dict[ObjectId, Indexed]:
    """A scan's index, by `_id`, of stored documents read with the fields it keeps (`_id` decoded)."""
    out = {}
    for d in docs:
        oid = d["_id"]
        out[oid] = Indexed(d)
    return out
