"""A secret an operator gives a service through its environment: NAME, or NAME_FILE naming a file that
holds it (a mounted container secret), which wins when both are set."""

from __future__ import annotations

import os
from pathlib import Path

from app.errors import CalipsoError


def env_secret(name: str, environ=None) -> tuple[str | None, str | None]:
    """(the value, the file it was read from): the file's text stripped, else NAME's value as given."""
    environ = os.environ if environ is None else environ
    path = environ.get(f"{name}_FILE")
    if not path:
        return environ.get(name) or None, None
    try:
        return Path(path).read_text(encoding="utf-8").strip(), path
    except OSError as e:
        raise CalipsoError(f"{name}_FILE: cannot read {path}: {e.strerror}") from None
