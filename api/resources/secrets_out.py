"""Keeping secrets out of responses: redacted documents, and problems that never echo a secret."""

from __future__ import annotations

from app.envconfig.fields import ALL_SECRET_KEYS
from app.errors import Problem
from app.logs import MASK


def secret_values(sections) -> set[str]:
    """Every secret value in a list of configuration sections (per-host credentials included)."""
    found: set[str] = set()
    for s in sections if isinstance(sections, list) else []:
        if not isinstance(s, dict):
            continue
        for key in ALL_SECRET_KEYS & set(s):
            if isinstance(s[key], str) and s[key]:
                found.add(s[key])
        hosts = s.get("hosts")
        if isinstance(hosts, dict):
            for creds in hosts.values():
                if isinstance(creds, dict):
                    found |= {str(creds[key]) for key in ALL_SECRET_KEYS & set(creds) if creds[key]}
    return found


def scrub(problems: list[Problem], secrets: set[str]) -> list[Problem]:
    out = []
    ordered = sorted((s for s in secrets if s), key=len, reverse=True)
    for p in problems:
        reason = p.reason
        for s in ordered:
            reason = reason.replace(repr(s), MASK).replace(s, MASK)
        out.append(Problem(p.path, reason))
    return out
