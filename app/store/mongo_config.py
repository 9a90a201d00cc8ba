"""The original's key-value MongoDB access file (`-m/--mongo_config`), turned into a URI.

One `key value` pair per line, `#` starts a comment. Keys: server, port, user, pwd
(the original's sample used `password`; both are accepted), auth_db, and our own
optional `database`.
"""

from __future__ import annotations

from pathlib import Path
from urllib.parse import quote_plus

from app.errors import ConfigFileError

KNOWN_KEYS = {"server", "port", "user", "pwd", "password", "auth_db", "database"}


def parse_mongo_config(path: str | Path) -> dict[str, str]:
    p = Path(path)
    try:
        text = p.read_text(encoding="utf-8")
    except OSError as e:
        raise ConfigFileError(f"cannot read MongoDB config file {p}: {e.strerror or e}") from None
    except UnicodeDecodeError:
        raise ConfigFileError(f"MongoDB config file {p} is not UTF-8 text") from None
    values: dict[str, str] = {}
    for lineno, raw in enumerate(text.splitlines(), 1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        parts = line.split(None, 1)
        if len(parts) != 2:
            raise ConfigFileError(f"{p}:{lineno}: expected 'key value', got {parts[0]!r} with no value")
        key, value = parts[0], parts[1].strip()
        if key not in KNOWN_KEYS:
            raise ConfigFileError(f"{p}:{lineno}: unknown key {key!r} (known: {', '.join(sorted(KNOWN_KEYS))})")
        if key == "password":
            key = "pwd"
        values[key] = value
    if "server" not in values:
        raise ConfigFileError(f"{p}: no 'server' line")
    if "port" in values and not values["port"].isdigit():
        raise ConfigFileError(f"{p}: port {values['port']!r} is not a number")
    return values


def uri_from_mongo_config(values: dict[str, str]) -> str:
    host = values["server"]
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    port = values.get("port", "27017")
    cred = ""
    if values.get("user"):
        cred = quote_plus(values["user"])
        if values.get("pwd"):
            cred += ":" + quote_plus(values["pwd"])
        cred += "@"
    db = values.get("database", "calipso")
    query = f"?authSource={quote_plus(values['auth_db'])}" if values.get("auth_db") else ""
    return f"mongodb://{cred}{host}:{port}/{db}{query}"
