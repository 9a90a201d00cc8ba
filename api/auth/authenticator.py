"""Who is calling: Basic credentials (local bcrypt users, then LDAP) or an X-Auth-Token."""

from __future__ import annotations

import base64
import binascii
import logging
import threading

from api.auth.ldap_backend import LdapBackend
from api.auth.limiter import LoginLimiter
from api.auth.tokens import TokenError, Tokens
from api.auth.users import Users
from api.auth.verified import VerifiedCredentials
from api.context import Caller
from api.errors import unauthorized

log = logging.getLogger(__name__)


class Authenticator:
    """Checks credentials; with a `limiter`, failed logins are slowed down per (user, address) and per
    address (429), and with `verified`, good Basic credentials are not re-checked with bcrypt on every
    request. `address` is the client's, as `api.auth.address.client_address` tells it."""

    def __init__(self, users: Users, tokens: Tokens, ldap: LdapBackend | None = None,
                 limiter: LoginLimiter | None = None, verified: VerifiedCredentials | None = None,
                 password_checks: int = 1):
        self.users = users
        self.tokens = tokens
        self.ldap = ldap
        self.limiter = limiter
        self.verified = verified
        # bcrypt runs this many at a time per worker (a flood of guesses queues here, token checks do not)
        self.checks = threading.BoundedSemaphore(max(1, password_checks))

    def credentials(self, username: str, password: str, address: str | None = None) -> Caller | None:
        """The caller when these credentials are good, else None; raises 429 while locked out."""
        if not isinstance(username, str) or not isinstance(password, str) or not username or not password:
            return None
        remembered = self.verified.hash_for(username, password) if self.verified is not None else None
        if remembered is None and self.limiter is not None:
            self.limiter.check(username, address)         # locked out: refused before any store read or bcrypt
        doc = self.users.get(username)
        local_hash = (doc or {}).get("password_hash") if (doc or {}).get("backend", "local") == "local" else None
        if local_hash and remembered == local_hash:      # verified lately, against today's password
            return None if doc.get("disabled") else Caller(username, bool(doc.get("admin")))
        if remembered is not None and self.limiter is not None:
            self.limiter.check(username, address)         # remembered against an old password
        with self.checks:
            caller = self._check(doc, username, password)
        if self.limiter is not None:
            if caller is None:
                self.limiter.failed(username, address)
            else:
                self.limiter.succeeded(username, address)
        if caller is not None and local_hash and self.verified is not None:
            self.verified.remember(username, password, local_hash)
        return caller

    def _check(self, doc: dict | None, username: str, password: str) -> Caller | None:
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
        """The caller owning a valid token; raises TokenError otherwise. The token is read every time (a revoked
        one is refused at once everywhere); its user's standing may be a few seconds old (Users.standing)."""
        doc = self.tokens.validate(token)
        user = self.users.standing(doc.get("username"))
        if user is None and self.ldap is None:
            raise TokenError("Token doesn't exist")
        if (user or {}).get("disabled"):
            raise TokenError("This account is disabled")
        return Caller(doc.get("username", ""), bool((user or {}).get("admin")), method="token")

    def from_headers(self, authorization: str | None, token: str | None, address: str | None = None) -> Caller:
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
        caller = self.credentials(username, password, address)
        if caller is None:
            raise unauthorized("Authentication failed")
        return caller
