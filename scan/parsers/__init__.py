"""Pure functions from a command's text output to records; no I/O (tested on recorded outputs)."""

from __future__ import annotations

import functools


class ParseError(ValueError):
    """The output does not have the shape the command prints; the caller names host and command."""


def parser(fn):
    """Name the host and the command in a ParseError when the text came from `Cli.run`."""
    @functools.wraps(fn)
    def wrapper(text, *args, **kwargs):
        try:
            return fn(text, *args, **kwargs)
        except ParseError as e:
            call = getattr(text, "call", None)
            if call and not str(e).startswith(f"{text.host}:"):
                raise ParseError(f"{text.host}: {call!r}: {e}") from None
            raise
    return wrapper
