"""Who is calling: Basic credentials (local bcrypt users, then LDAP) or an X-Auth-Token."""

from __future__ import annotations

import base64
import binascii
import logging

from api.auth.ldap_backend import LdapBackend
from api.auth.tokens import TokenError, Tokens
from api.auth.users import Users
from api.context import Caller
from api.errors import unauthorized

log = logging.getLogger(__name__)


class Authenticator:
    def __init__(self, users: Users, tokens: Tokens, ldap: LdapBackend | None = None):
        self.users = users
        self.tokens = tokens
        self.ldap = ldap

    def credentials(self, username: str, password: str) -> Caller | None:
        """The caller when these credentials are good, else None."""
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            return None
        doc = self.users.get(username)
        backend = (doc or {}).get("backend", "local") if doc else None
        if doc is not None and backend == "local":
            found = self.users.verify(username, password)
            return Caller(username, bool(found.get("admin"))) if found and not found.get("disabled") else None
        if self.ldap is not None and (doc is None or backend == "ldap"):
            if (doc or {}).get("disabled"):
                return None
            if self.ldap.authenticate(username, password):
                return Caller(username, bool((doc or {}).get("admin")))
            return None
        self.users.verify("\0", password)  # same cost as a wrong password
        return None

    def token(self, token: str) -> Caller:
        """The caller owning a valid token; raises TokenError otherwise."""
        doc = self.tokens.validate(token)
        user = self.users.get(doc.get("username"))
        if user is None and self.ldap is None:
            raise TokenError("Token doesn't exist")
        if (user or {}).get("disabled"):
            raise TokenError("This account is disabled")
        return Caller(doc.get("username", ""), bool((user or {}).get("admin")), method="token")

    def from_headers(self, authorization: str | None, token: str | None) -> Caller:
        """Authenticate a request by its headers, or raise a 401."""
        if token:
            try:
                return self.token(token)
            except TokenError as e:
                raise unauthorized(str(e)) from None
        if not authorization:
            raise unauthorized("Authentication required")
        scheme, _, value = authorization.partition(" ")
        if scheme.lower() != "basic":
            raise unauthorized("Credentials not provided")
        try:
            decoded = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, ValueError, UnicodeDecodeError):
            raise unauthorized("Authentication failed") from None
        username, sep, password = decoded.partition(":")
        if not sep:
            raise unauthorized("Authentication failed")
        caller = self.credentials(username, password)
        if caller is None:
            raise unauthorized("Authentication failed")
        return caller
