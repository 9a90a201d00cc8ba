"""Whose address a login comes from: the peer's, or, for the console, the browser's.

The console signs every browser in through the API, so to the API they would all be one address
(and one flood from it would throttle them all). It tells the API the browser's address in
`X-Calipso-Client-Address` and proves the header is its own with `X-Calipso-Console`, the secret both
services are given (app.console_link). Without a configured secret, or with a wrong one, the header is
ignored: any other client is known by its peer address only.
"""

from __future__ import annotations

import hmac
import ipaddress

from app.console_link import ADDRESS_HEADER, SECRET_HEADER


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
