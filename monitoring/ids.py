"""Object ids inside Sensu check names (spec §4.3), encoded reversibly.

Sensu 1.x accepts check names of letters, digits, `_`, `.` and `-` only. The original encoded
`:` as `---..58..---` and `/` as `---..47..---`; we encode every other character outside that set
the same way (`---..<code point>..---`), so names with spaces or shell characters survive too,
`_` as well (it separates the parts of a name: the original could not tell `link_a_b_c` apart),
and a literal `---..` in an id, so decoding gives back exactly the id that was encoded.
"""

from __future__ import annotations

import re

_SAFE = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_.-")
#: inside a name, ids also escape `_`: it separates the parts (type, id, port, subtype)
_PART_SAFE = _SAFE - {"_"}
_MARK = "---.."
_CODED = re.compile(r"---\.\.(\d{1,7})\.\.---")
_ALL_SAFE = re.compile(r"[A-Za-z0-9_.\-]*")
_ALL_PART_SAFE = re.compile(r"[A-Za-z0-9.\-]*")


def _code(ch: str) -> str:
    return f"---..{ord(ch)}..---"


def encode_id(value: str, part: bool = True) -> str:
    """`"aa:bb/c"` -> `"aa---..58..---bb---..47..---c"`. With `part` (the default, for a check
    name's id parts) `_` is escaped too, so a name splits on `_` without ambiguity."""
    text = str(value)
    if (_ALL_PART_SAFE if part else _ALL_SAFE).fullmatch(text) and _MARK not in text:
        return text   # the common case: nothing to escape
    safe = _PART_SAFE if part else _SAFE
    out = []
    for i, ch in enumerate(text):
        if ch not in safe or (ch == "-" and text.startswith(_MARK, i)):
            out.append(_code(ch))
        else:
            out.append(ch)
    return "".join(out)


def decode_id(value: str) -> str:
    """The inverse of encode_id (also decodes the original's `:` and `/` encodings)."""
    def repl(m: re.Match) -> str:
        code = int(m.group(1))
        return chr(code) if code <= 0x10FFFF else m.group(0)
    return _CODED.sub(repl, str(value))


def valid_check_name(name: str) -> bool:
    """What Sensu 1.x accepts as a check name."""
    return bool(name) and _ALL_SAFE.fullmatch(name) is not None
