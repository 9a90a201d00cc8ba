"""`ip netns list` (§4.5.9)."""

from __future__ import annotations


def namespaces(text: str) -> list[str]:
    return [line.split()[0] for line in text.splitlines() if line.strip()]
