"""Errors a user can fix: shown as one line, exit code 2, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


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
