"""Errors a user can fix: shown as one line, exit code 2, never a traceback."""

from __future__ import annotations

import re
from dataclasses import dataclass

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text from hosts or requests made safe for a terminal or a log: control bytes (terminal escape
    sequences among them) shown as \\xNN instead of acted on. Newlines and tabs are kept."""
    return _CONTROL.sub(lambda m: f"\\x{ord(m.group()):02x}", text)


def shorten(text: str, limit: int = 200) -> str:
    """At most `limit` characters of `text` (a value echoed back in a message), saying how much was cut."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit} more characters)"


class CalipsoError(Exception):
    """A problem with the user's input or setup, explained in one line."""

    exit_code = 2


class StoreError(CalipsoError):
    """The MongoDB store cannot be found, started or reached."""


class ConfigFileError(CalipsoError):
    """A configuration file cannot be read or parsed."""


@dataclass(frozen=True)
class Problem:
    """One validation problem: where (a field path) and what is wrong."""

    path: str
    reason: str

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}" if self.path else self.reason


class ValidationFailed(CalipsoError):
    """A document was rejected; every problem is listed, nothing was written."""

    def __init__(self, what: str, problems: list[Problem]):
        self.what = what
        self.problems = problems
        lines = "; ".join(str(p) for p in problems)
        super().__init__(f"{what} is invalid ({len(problems)} problem{'s' if len(problems) != 1 else ''}): {lines}")
