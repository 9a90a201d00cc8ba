"""Documents out of the store into JSON: ObjectIds as strings, datetimes as ISO 8601, our keys removed."""

from __future__ import annotations

import json

from app.keyenc import decode
from app.plain import plain
from app.store.keys import public


def single(doc: dict, add_id: bool = True) -> dict:
    """Single-object mode: the whole document, with `id` = `_id` when it has no `id` of its own."""
    out = plain(public(decode(doc)))
    if add_id and "id" not in out and "_id" in out:
        out["id"] = out["_id"]
    return out


def _decoded(value):
    return value if type(value) is str else decode(value)


def listed(doc: dict, fields: tuple[str, ...]) -> dict:
    """List mode: only the projection fields; `_id` becomes `id` unless the document has one. Only those fields
    are decoded (a page's rows carry our synthetic keys too), unless a key of the document has a `[` in it,
    where the decoded document is looked into, as it has always been."""
    if "[" in "".join(doc):
        d = decode(doc)
    else:
        d = {f: _decoded(doc[f]) for f in fields if f in doc}
        if "id" in fields and "id" not in d and "_id" in doc:
            d["_id"] = decode(doc["_id"])
    out = {f: d[f] for f in fields if f in d and f != "id"}
    if "id" in fields:
        if "id" in d:
            out["id"] = d["id"]
        elif "_id" in d:
            out["id"] = d["_id"]
    return plain(out)


class Listing(dict):
    """A response body whose values are JSON-ready already (rows made by `listed`): `dumps` does not walk its
    thousands of values a second time. What is added to it must be JSON-ready too (json refuses anything else)."""


def dumps(value) -> str:
    if type(value) is not Listing:
        value = plain(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))   # no spaces: 10% of a large graph
