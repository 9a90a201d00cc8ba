"""What the console and the API share to tell browsers apart: the headers carrying a browser's address
and the secret proving the console sent them (CALIPSO_CONSOLE_SECRET, or CALIPSO_CONSOLE_SECRET_FILE
naming a file holding it; `calipso demo` makes one for the two it starts, `make images` writes one
into `.env` for the containers)."""

from __future__ import annotations

from app.env_secret import env_secret
from app.errors import CalipsoError

ADDRESS_HEADER = "X-Calipso-Client-Address"
SECRET_HEADER = "X-Calipso-Console"
MIN_SECRET = 16


def console_secret(environ=None) -> str | None:
    """The secret shared by the console and the API (None: not configured; the header is then ignored)."""
    secret = (env_secret("CALIPSO_CONSOLE_SECRET", environ)[0] or "").strip()
    if not secret:
        return None
    if len(secret) < MIN_SECRET:
        raise CalipsoError(f"the console secret (CALIPSO_CONSOLE_SECRET) must have at least {MIN_SECRET} characters")
    from app.logs import register_secret
    register_secret(secret)
    return secret
