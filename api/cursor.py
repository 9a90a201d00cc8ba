"""Opaque page cursors: the unique sort key of the last row of a page, which the next page starts after.

A page after a cursor is a range of an index (`{key: {"$gt": last}}` in the key's order), so reading page
1,000 costs what reading page 1 does, on MongoDB and on the embedded store alike, where `page=N` skips N
pages of rows. The cursor is the key in URL-safe base64: opaque to clients, nothing in it that the page
itself does not show.
"""

from __future__ import annotations

import base64
import binascii

from api.errors import bad_request
from app.errors import Problem

MAX_CURSOR = 2048


def encode_cursor(key: str) -> str:
    return base64.urlsafe_b64encode(key.encode("utf-8")).decode("ascii").rstrip("=")


def decode_cursor(cursor: str, param: str = "after") -> str:
    """The key a cursor names; a clear 400 for anything that is not one of ours."""
    try:
        if len(cursor) > MAX_CURSOR:
            raise ValueError
        return base64.b64decode(cursor + "=" * (-len(cursor) % 4), altchars=b"-_", validate=True).decode("utf-8")
    except (ValueError, binascii.Error, UnicodeDecodeError):
        raise bad_request([Problem(param, "is not a page cursor (use next_after of the page before)")]) from None
