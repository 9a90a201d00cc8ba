"""The JSON text of a document the embedded store keeps: orjson where it gives the same value.

neosqlite stores each document as JSON text in SQLite and reads it back with `json.loads` and
SQLite's JSON functions, which see values, not spacing. Encoding was half of the embedded store's
CPU in a scan's write phase (stdlib `json` with a Python `default` called for every date and id);
orjson writes the same values, compactly. Where orjson would write another value, the standard
encoder is used: orjson writes NaN and infinities as `null` (so a document whose text has `null`
in it is searched for one, and if it holds one it is encoded the standard way, whose strictness
the caller relies on), and refuses what it cannot write (numbers beyond 64 bits) instead of
guessing. Most documents have a `null` (a field with no value); searching one costs a third to
a tenth of encoding it again.
"""

from __future__ import annotations

import json
from math import isfinite
from typing import Any, Callable

import orjson

_OPTIONS = orjson.OPT_PASSTHROUGH_DATETIME   # dates through `default`, as the standard encoder sends them


def fast_encoder(standard: Any) -> Callable[[dict], str]:
    """encode(document) -> text, with `standard` (a json.JSONEncoder) for its `default` and for what
    orjson would write differently. Raises what `standard.encode` raises."""
    default = standard.default

    def encode(document: dict) -> str:
        try:
            text = orjson.dumps(document, default=default, option=_OPTIONS)
        except orjson.JSONEncodeError:
            return standard.encode(document)
        if b"null" in text and _non_finite(document):   # the standard encoder refuses it
            return standard.encode(document)
        return text.decode("utf-8")

    return encode


def _non_finite(value: Any) -> bool:
    """Whether a NaN or an infinity is anywhere in the value (what orjson writes as `null`).
    Text, integers and None, most of a document, are passed over without a call."""
    if isinstance(value, dict):
        value = value.values()
    elif not isinstance(value, (list, tuple)):
        return isinstance(value, float) and not isfinite(value)
    for v in value:
        tv = type(v)
        if tv is str or tv is int or v is None:
            continue
        if _non_finite(v):
            return True
    return False


# -- reading it back --------------------------------------------------------------------------------------------

class _Float(Exception):
    """A float in what orjson read: it may have been an integer beyond 64 bits, which orjson reads as a float."""


def fast_loads(hook: Callable[[dict], Any]) -> Callable[[str], Any]:
    """loads(text) -> the value `json.loads(text, object_hook=hook)` gives, for the few-field rows of a projected
    find: read by orjson, with `hook` applied afterwards, innermost documents first as json applies it. Text
    orjson refuses (NaN, infinities, lone surrogates) or that holds a float (which may have been an integer
    orjson could not read as one) goes to `json.loads`. Every value is visited in Python, so a large document
    is read faster by json's own hook calls: this is for small ones."""

    def apply(value: Any) -> Any:
        if type(value) is dict:
            for key, v in value.items():
                t = type(v)
                if t is dict or t is list:
                    value[key] = apply(v)
                elif t is float:
                    raise _Float
            return hook(value)
        for i, v in enumerate(value):
            t = type(v)
            if t is dict or t is list:
                value[i] = apply(v)
            elif t is float:
                raise _Float
        return value

    def loads(text: str) -> Any:
        try:
            value = orjson.loads(text)
            t = type(value)
            if t is dict or t is list:
                return apply(value)
            if t is not float:
                return value
        except (orjson.JSONDecodeError, _Float):
            pass
        return json.loads(text, object_hook=hook)

    return loads
