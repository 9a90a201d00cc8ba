"""Whose address a login comes from: the peer's, or, for the console, the browser's.

The console signs every browser in through the API, so to the API they would all be one address
(and one flood from it would throttle them all). It tells the API the browser's address in
`X-Calipso-Client-Address`, and proves the header is its own with `X-Calipso-Console`, the secret
both services are given (CALIPSO_CONSOLE_SECRET, or CALIPSO_CONSOLE_SECRET_FILE naming a file).
Without a configured secret, or with a wrong one, the header is ignored: any other client is known
by its peer address only.
"""

from __future__ import annotations

import hmac
import ipaddress
import os
from pathlib import Path

from app.errors import CalipsoError

ADDRESS_HEADER = "X-Calipso-Client-Address"
SECRET_HEADER = "X-Calipso-Console"
MIN_SECRET = 16


def console_secret(environ=None) -> str | None:
    """The secret shared by the console and the API, from the environment (None: not configured)."""
    environ = os.environ if environ is None else environ
    path = environ.get("CALIPSO_CONSOLE_SECRET_FILE")
    if path:
        try:
            secret = Path(path).read_text(encoding="utf-8").strip()
        except OSError as e:
            raise CalipsoError(f"CALIPSO_CONSOLE_SECRET_FILE: cannot read {path}: {e.strerror}") from None
    else:
        secret = (environ.get("CALIPSO_CONSOLE_SECRET") or "").strip()
    if not secret:
        return None
    if len(secret) < MIN_SECRET:
        raise CalipsoError(f"the console secret must have at least {MIN_SECRET} characters")
    from app.logs import register_secret
    register_secret(secret)
    return secret


def client_address(peer: str | None, headers_get, secret: str | None) -> str | None:
    """The address to count a login against: the forwarded one only when the console proved itself."""
    forwarded = headers_get(ADDRESS_HEADER)
    if not secret or not forwarded:
        return peer
    given = headers_get(SECRET_HEADER) or ""
    if not hmac.compare_digest(given.encode("utf-8", "replace"), secret.encode("utf-8")):
        return peer
    try:
        return str(ipaddress.ip_address(forwarded.strip()))
    except ValueError:
        return peer
