"""What every plugin table (fetchers, event handlers, protocol servers) needs: load a
`"module:Attr"` entry, and suggest the closest name when one is misspelt."""

from __future__ import annotations

import difflib
import importlib
from typing import Iterable


def did_you_mean(name: str, known: Iterable[str]) -> str:
    """` (did you mean 'x'?)` for the closest known name (case-insensitive as a fallback), else ''."""
    known = [str(k) for k in known]
    close = difflib.get_close_matches(str(name), known, n=1, cutoff=0.6) or \
        [k for k in known if k.lower() == str(name).lower()]
    return f" (did you mean {close[0]!r}?)" if close else ""


def load_object(spec: str):
    """The attribute named by `"module:Attr"`; ImportError/AttributeError say what is missing."""
    module, _, attr = spec.partition(":")
    if not module or not attr:
        raise ImportError(f"{spec!r} is not of the form 'module:Attr'")
    return getattr(importlib.import_module(module), attr)
