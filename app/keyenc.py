"""Field-name encoding for MongoDB: `.` and a leading `$` are not allowed in keys.

Compatible with the original (`.` -> `[dot]`, leading `$` -> `[dollar]`) but lossless:
a literal `[` is written `[lb]`, so a key that really contains `[dot]` survives a round trip.
"""

from __future__ import annotations

import re

from app.packed import PackedDicts, keys_clean

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
    """Every key of a document encoded. Hot (every scanned object passes here): a document whose
    keys all stay as they are (nearly all) is checked in C, a dict at a time, and comes back as a
    new top-level dict sharing its nested values; otherwise it is copied, and a key is only
    rewritten when it needs it. Packed lists (app.packed) are stored unpacked."""
    if type(value) is dict and keys_clean(value):
        return dict(value)
    if type(value) is PackedDicts:
        return value.unpack()
    if isinstance(value, dict):
        out = {}
        for key, v in value.items():
            if type(key) is not str:
                key = str(key)
            if "[" in key or "." in key or key[:1] == "$":
                key = encode_key(key)
            out[key] = encode(v) if isinstance(v, (dict, list, PackedDicts)) else v
        return out
    if isinstance(value, list):
        return [encode(v) if isinstance(v, (dict, list, PackedDicts)) else v for v in value]
    return value


def decode(value):
    if isinstance(value, dict):
        return {decode_key(k): decode(v) for k, v in value.items()}
    if isinstance(value, list):
        return [decode(v) for v in value]
    return value
