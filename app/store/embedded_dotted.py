"""Projections as MongoDB applies them, dotted paths included: `{"sub.a": 1}` gives `{"sub": {"a": ...}}`.

neosqlite 1.17.2 answered a dotted inclusion with a flat key `"sub.a"`, dropped paths through arrays of
documents, and ignored a dotted exclusion. These functions are used by app.store.embedded_projection for
every plain (0/1) projection; projection operators are refused before (app.store.embedded_guard).
"""

from __future__ import annotations

from typing import Any


def tree(projection: dict) -> dict:
    """{"a.b": 1, "c": 1} as {"a": {"b": True}, "c": True}, `_id` left out."""
    out: dict = {}
    for key in projection:
        if key == "_id":
            continue
        node = out
        parts = key.split(".")
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if node is True:
                break
        else:
            node[parts[-1]] = True
    return out


def _include(value: Any, node: dict) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            sub = node.get(key)
            if sub is True:
                out[key] = item
            elif sub is not None and isinstance(item, (dict, list)):
                out[key] = _include(item, sub)
        return out
    if isinstance(value, list):
        return [_include(item, node) for item in value if isinstance(item, (dict, list))]
    return value


def _exclude(value: Any, node: dict) -> Any:
    if isinstance(value, dict):
        out = {}
        for key, item in value.items():
            sub = node.get(key)
            if sub is True:
                continue
            out[key] = _exclude(item, sub) if sub is not None and isinstance(item, (dict, list)) else item
        return out
    if isinstance(value, list):
        return [_exclude(item, node) if isinstance(item, (dict, list)) else item for item in value]
    return value


def project(projection: dict, document: dict) -> dict:
    """The document as a plain projection (fields to 1/true or to 0/false) shows it."""
    node = tree(projection)
    inclusion = any(bool(v) for k, v in projection.items() if k != "_id")
    keep_id = bool(projection.get("_id", 1))
    if inclusion or (not node and keep_id):
        if not node:
            return {"_id": document["_id"]} if "_id" in document else {}
        if keep_id:
            node = {**node, "_id": True}
        return _include(document, node)
    if not keep_id:
        node = {**node, "_id": True}
    return _exclude(document, node)
