"""One copy of each short string a scan's documents repeat.

Every REST answer, SQL row and command output is decoded into strings of its own: at 300 hosts the
scan's documents held 307,000 string objects (22.6 MB), 12.7 MB of them copies of a value another
document already had (the environment's name in every document, host names, project ids, folder
ids, `ACTIVE`, `br-int`, ...). A scan of 10,000 hosts peaked at 4.1 GB, mostly its documents.
Sharing the short ones through Python's interned strings (freed with their last user) costs one
pass over each document as it is placed.
"""

from __future__ import annotations

from sys import intern
from typing import Any

LONGEST = 64     # longer strings (paths, descriptions, XML) are rarely repeated whole


def share(value: Any) -> Any:
    """`value` with its short strings, at any depth of dicts and lists, replaced by their shared copy
    (dicts and lists are changed in place)."""
    t = type(value)
    if t is str:
        return intern(value) if len(value) <= LONGEST else value
    if t is dict:
        items = value.items()
    elif t is list:
        items = enumerate(value)
    else:
        return value
    for k, v in items:     # values replaced in place: no key is added or removed while iterating
        tv = type(v)
        if tv is str:
            if len(v) <= LONGEST:
                value[k] = intern(v)
        elif tv is dict or tv is list:
            share(v)
    return value
