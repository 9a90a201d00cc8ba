"""Per-host SSH entries of the CLI section, completed from the section itself.

A `CLI.hosts` entry names what differs for that host (usually its address); every credential it
leaves out (`user`, `pwd`, `key`, `port`) is the section's. The original inherited only `user`,
so a host listed to change its address lost the key and every command failed to authenticate.
"""

from __future__ import annotations

INHERITED = ("user", "pwd", "key", "port")


def host_entries(section: dict) -> dict[str, dict]:
    """host id -> its complete SSH entry (address defaults to the host id)."""
    out = {}
    for host_id, entry in (section.get("hosts") or {}).items():
        entry = dict(entry or {})
        for k in INHERITED:
            if entry.get(k) in (None, "") and section.get(k) not in (None, ""):
                entry[k] = section[k]
        entry.setdefault("host", host_id)
        out[host_id] = entry
    return out
