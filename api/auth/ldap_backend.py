"""LDAP authentication through ldap3: a simple bind as `<user_id_attribute>=<name>,<user_tree_dn>`.

Unlike the original, the user name is escaped as an RDN value (no LDAP injection), TLS is
used only for ldaps:// URLs, and certificates are verified unless tls_req_cert says otherwise.
"""

from __future__ import annotations

import logging
import os
import ssl
from pathlib import Path
from typing import Callable

import ldap3
from ldap3.core.exceptions import LDAPException
from ldap3.utils.dn import escape_rdn

from api.settings import LdapConfig
from app.errors import ConfigFileError

log = logging.getLogger(__name__)

ENV_PREFIX = "CALIPSO_LDAP_SERVICE_"
KEYS = ("url", "user_id_attribute", "user_tree_dn", "tls_req_cert", "tls_cacertfile")


def parse_ldap_conf(path: str) -> LdapConfig:
    """The original ldap.conf: `key value` per line, `#` comments."""
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigFileError(f"cannot read LDAP configuration {path}: {e.strerror or e}") from None
    values: dict[str, str] = {}
    for n, line in enumerate(text.splitlines(), 1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        key, _, value = line.partition(" ")
        values[key.strip().lower()] = value.strip()
    return _config(values, path)


def ldap_from_environ(environ: dict[str, str] | None = None) -> LdapConfig | None:
    environ = os.environ if environ is None else environ
    values = {k: environ[ENV_PREFIX + k.upper()] for k in KEYS if environ.get(ENV_PREFIX + k.upper())}
    if not values:
        return None
    return _config(values, "CALIPSO_LDAP_SERVICE_* variables")


def _config(values: dict[str, str], where: str) -> LdapConfig:
    missing = [k for k in ("user_id_attribute", "user_tree_dn") if not values.get(k)]
    if missing:
        raise ConfigFileError(f"{where}: {', '.join(missing)} must be set")
    req = values.get("tls_req_cert", "demand").lower()
    if req not in ("demand", "allow", "never", "hard", "try"):
        raise ConfigFileError(f"{where}: tls_req_cert must be demand, allow or never, not {req!r}")
    return LdapConfig(url=values.get("url", "ldap://localhost:389"), user_id_attribute=values["user_id_attribute"],
                      user_tree_dn=values["user_tree_dn"], tls_req_cert=req,
                      tls_cacertfile=values.get("tls_cacertfile"))


ConnectionFactory = Callable[[ldap3.Server, str, str], ldap3.Connection]


def _default_connection(server: ldap3.Server, user: str, password: str) -> ldap3.Connection:
    return ldap3.Connection(server, user=user, password=password, auto_bind=False, read_only=True,
                            receive_timeout=10)


class LdapBackend:
    def __init__(self, config: LdapConfig, connect: ConnectionFactory = _default_connection):
        self.config = config
        self.connect = connect
        validate = {"demand": ssl.CERT_REQUIRED, "hard": ssl.CERT_REQUIRED, "allow": ssl.CERT_OPTIONAL,
                    "try": ssl.CERT_OPTIONAL}.get(config.tls_req_cert, ssl.CERT_NONE)
        use_ssl = config.url.lower().startswith("ldaps://")
        tls = ldap3.Tls(validate=validate, ca_certs_file=config.tls_cacertfile) if use_ssl else None
        self.server = ldap3.Server(config.url, use_ssl=use_ssl, tls=tls, connect_timeout=config.timeout)

    def user_dn(self, username: str) -> str:
        return f"{self.config.user_id_attribute}={escape_rdn(username)},{self.config.user_tree_dn}"

    def authenticate(self, username: str, password: str) -> bool:
        if not username or not password:  # an empty password would be an anonymous bind
            return False
        try:
            conn = self.connect(self.server, self.user_dn(username), password)
            ok = bool(conn.bind())
            try:
                conn.unbind()
            except LDAPException:
                pass
            return ok
        except LDAPException as e:
            log.warning("LDAP bind for %s failed: %s", username, type(e).__name__)
            return False
