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
import re
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

_LONG_NUMBER = re.compile(r"\d{19}")    # orjson reads integers beyond 64 bits (or below -2**63) as floats


def fast_loads(hook: Callable[[dict], Any]) -> Callable[[str], Any]:
    """loads(text) -> the value `json.loads(text, object_hook=hook)` gives, read by orjson (a third of the time)
    with `hook` applied afterwards, innermost documents first as json applies it. Text orjson reads otherwise
    (NaN, infinities, lone surrogates, integers of 19 digits or more) goes to `json.loads`."""

    def apply(value: Any) -> Any:
        if type(value) is dict:
            for key, v in value.items():
                if type(v) is dict or type(v) is list:
                    value[key] = apply(v)
            return hook(value)
        for i, v in enumerate(value):
            if type(v) is dict or type(v) is list:
                value[i] = apply(v)
        return value

    def loads(text: str) -> Any:
        if _LONG_NUMBER.search(text) is None:
            try:
                value = orjson.loads(text)
            except orjson.JSONDecodeError:
                pass
            else:
                return apply(value) if type(value) is dict or type(value) is list else value
        return json.loads(text, object_hook=hook)

    return loads
