"""The `garbage` fault: output that is recognisably broken (what a confused host or a bad pipe gives)."""

from __future__ import annotations

import hashlib


def garble(text: str) -> str:
    """Deterministic: every line is cut at a hash-chosen point and followed by junk bytes; line order is
    reversed in pairs, so parsers that rely on structure (headers, indentation, columns) fail."""
    lines = text.splitlines() or [""]
    out = []
    for n, line in enumerate(lines):
        h = hashlib.blake2b(f"{n}|{line}".encode(), digest_size=4).digest()
        cut = h[0] % (len(line) + 1)
        junk = "".join(chr(0x21 + b % 90) for b in h)
        out.append(line[:cut] + "\x1b[?25l" + junk + "\ufffd")
    for i in range(0, len(out) - 1, 2):
        out[i], out[i + 1] = out[i + 1], out[i]
    return "\n".join(out) + "\n"
