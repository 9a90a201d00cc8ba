"""The JSON text of a document the embedded store keeps: orjson where it gives the same value.

neosqlite stores each document as JSON text in SQLite and reads it back with `json.loads` and
SQLite's JSON functions, which see values, not spacing. Encoding was half of the embedded store's
CPU in a scan's write phase (stdlib `json` with a Python `default` called for every date and id);
orjson writes the same values, compactly. Where orjson would write another value, the standard
encoder is used: orjson writes NaN and infinities as `null` (so a text with `null` in it is
encoded again the standard way, whose strictness the caller relies on), and refuses what it
cannot write (numbers beyond 64 bits) instead of guessing.
"""

from __future__ import annotations

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
        if b"null" in text:      # maybe a NaN or an infinity, which the standard encoder refuses
            return standard.encode(document)
        return text.decode("utf-8")

    return encode
