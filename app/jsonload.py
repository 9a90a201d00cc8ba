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


def loads(text: str | bytes) -> Any:
    """The value `json.loads(text)` gives. What orjson refuses and the standard library takes (NaN and
    infinities, text that is not UTF-8) and what it would read otherwise (integers beyond 64 bits) is
    read by the standard library."""
    long = _LONG.get(type(text))
    if long is not None and long(text) is None:
        try:
            return orjson.loads(text)
        except orjson.JSONDecodeError:
            pass
    return json.loads(text)
