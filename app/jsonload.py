"""JSON read as the standard library reads it, through orjson where it can.

A scan reads a JSON text per instance (`network_info`) and large REST answers. orjson decodes twice as
fast and shares the key strings of everything it reads, where `json.loads` makes new ones per call:
10,000 instances' `network_info` kept 57 MB as `json.loads` left it, 37 MB this way.
"""

from __future__ import annotations

import json
import re
from typing import Any

import orjson

#: a number of 19 digits or more, maybe an integer beyond 64 bits, which orjson would read as a float. A
#: JSON value starts the text or follows `:`, `,` or `[`; digits inside strings (Nova's `hostId`, a hex
#: digest, holds 19 in a row in some of a thousand servers) do not send a whole answer to the slow path
_LONG = {str: re.compile(r"(?:^|[:,\[])\s*-?\d{19}").search,
         bytes: re.compile(rb"(?:^|[:,\[])\s*-?\d{19}").search}
#: that regex costs several times orjson's parse of the same text; 19 digits in a row anywhere is rare, and
#: found in C (every digit made `0`, every other byte a space) for a fraction of it: only then is it asked
_DIGITS = bytes(48 if 48 <= c <= 57 else 32 for c in range(256))
_RUN = b"0" * 19


def _long_number(text: str | bytes) -> bool:
    raw = text if type(text) is bytes else text.encode("utf-8", "surrogatepass")
    return _RUN in raw.translate(_DIGITS) and _LONG[type(text)](text) is not None


def loads(text: str | bytes) -> Any:
    """The value `json.loads(text)` gives. What orjson refuses and the standard library takes (NaN and
    infinities, text that is not UTF-8) and what it would read otherwise (integers beyond 64 bits) is
    read by the standard library."""
    if type(text) in _LONG and not _long_number(text):
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
