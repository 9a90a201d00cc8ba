"""Secrets in environment_config are write-only: shown redacted, kept when an update omits them."""

from __future__ import annotations

import copy

from app.envconfig.fields import ALL_SECRET_KEYS, secret_keys
from app.logs import register_secret

REDACTED = "<redacted>"


def _section_secret_keys(section: dict) -> set[str]:
    name = section.get("name")
    return (secret_keys(name) if isinstance(name, str) else set()) or ALL_SECRET_KEYS


def redact(env: dict) -> dict:
    """A copy safe to show to anyone: every secret value replaced, per-host credentials too."""
    out = copy.deepcopy(env)
    sections = out.get("configuration")
    for section in sections if isinstance(sections, list) else []:
        if not isinstance(section, dict):
            continue
        for key in _section_secret_keys(section) & set(section):
            if section[key] not in (None, ""):
                section[key] = REDACTED
        hosts = section.get("hosts")
        if isinstance(hosts, dict):
            for creds in hosts.values():
                if isinstance(creds, dict):
                    for key in ALL_SECRET_KEYS & set(creds):
                        creds[key] = REDACTED
    return out


def drop_secrets(sections: list) -> list:
    """Configuration sections with every secret removed (what a finished connection test keeps)."""
    out = redact({"configuration": sections if isinstance(sections, list) else []})["configuration"]
    for section in out:
        if isinstance(section, dict):
            for key in [k for k, v in section.items() if v == REDACTED]:
                del section[key]
            if isinstance(section.get("hosts"), dict):
                section["hosts"] = {h: {k: v for k, v in c.items() if v != REDACTED} if isinstance(c, dict) else c
                                    for h, c in section["hosts"].items()}
    return out


def keep_secrets(new: dict, old: dict) -> dict:
    """`new` with each secret it omits (or sends back redacted) taken from `old`."""
    out = copy.deepcopy(new)
    old_sections = {s.get("name"): s for s in old.get("configuration") or []
                    if isinstance(s, dict) and isinstance(s.get("name"), str)}
    sections = out.get("configuration")
    for section in sections if isinstance(sections, list) else []:
        if not isinstance(section, dict) or not isinstance(section.get("name"), str) \
                or section["name"] not in old_sections:
            continue
        previous = old_sections[section["name"]]
        for key in _section_secret_keys(section):
            if (key not in section or section[key] == REDACTED) and key in previous:
                section[key] = previous[key]
    return out


def register_secrets(env: dict) -> None:
    """Tell the log filter about every secret of this environment."""
    sections = env.get("configuration")
    for section in sections if isinstance(sections, list) else []:
        if isinstance(section, dict):
            for key in ALL_SECRET_KEYS & set(section):
                register_secret(section[key])
            hosts = section.get("hosts")
            if isinstance(hosts, dict):
                for creds in hosts.values():
                    if isinstance(creds, dict):
                        for key in ALL_SECRET_KEYS & set(creds):
                            register_secret(creds[key])
