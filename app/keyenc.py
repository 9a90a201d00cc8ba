"""Field-name encoding for MongoDB: `.` and a leading `$` are not allowed in keys.

Compatible with the original (`.` -> `[dot]`, leading `$` -> `[dollar]`) but lossless:
a literal `[` is written `[lb]`, so a key that really contains `[dot]` survives a round trip.
"""

from __future__ import annotations

import re

_DECODE = re.compile(r"\[(lb|dot|dollar)\]")
_TOKENS = {"lb": "[", "dot": ".", "dollar": "$"}


def encode_key(key: str) -> str:
    if "[" not in key and "." not in key and not key.startswith("$"):
        return key
    out = key.replace("[", "[lb]").replace(".", "[dot]")
    if out.startswith("$"):
        out = "[dollar]" + out[1:]
    return out


def decode_key(key: str) -> str:
    if "[" not in key:
        return key
    return _DECODE.sub(lambda m: _TOKENS[m.group(1)], key)


def encode(value):
    if isinstance(value, dict):
        return {encode_key(str(k)): encode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    return value


def decode(value):
    if isinstance(value, dict):
        return {decode_key(k): decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
