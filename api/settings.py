"""API settings: what the command line and the caller of create_app decide."""

from __future__ import annotations

from dataclasses import dataclass, field

from api.auth.limiter import LoginPolicy
from app import __version__


@dataclass(frozen=True)
class LdapConfig:
    """The original ldap.conf keys that matter for a bind check."""

    url: str = "ldap://localhost:389"
    user_id_attribute: str = "CN"
    user_tree_dn: str = ""
    tls_req_cert: str = "demand"
    tls_cacertfile: str | None = None
    timeout: float = 5.0


@dataclass(frozen=True)
class Settings:
    token_lifetime: int = 86400          # seconds
    max_session: int = 7 * 86400         # a token renewed with the token method never outlives this
    page_size_cap: int = 10000
    max_body_bytes: int = 1 << 20
    bcrypt_rounds: int = 12
    cors_origin: str = "*"
    ldap: LdapConfig | None = None
    login: LoginPolicy | None = field(default_factory=LoginPolicy)   # None: no login rate limiting
    verified_ttl: float = 60.0           # seconds good Basic credentials skip bcrypt (0: never)
    # seconds a worker answers a token's user (admin? disabled?) from what it read lately (0: read it every
    # request): a change made by another worker or replica is seen within it. Tokens are read every request.
    user_standing_ttl: float = 5.0
    # seconds a worker answers an environment's access lists and scan time from what it read lately (0: read
    # them every request); changes made through the worker are seen at once (api.env_directory)
    env_access_ttl: float = 2.0
    password_checks: int = 1             # bcrypt checks at once per worker
    console_secret: str | None = None    # proves the console's X-Calipso-Client-Address (api.auth.address)
    version: str = __version__
    extra: dict = field(default_factory=dict)
