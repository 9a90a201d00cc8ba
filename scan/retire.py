"""Retiring what the cloud no longer has (spec §9.5 fixed), decided from the scan's comparison.

A full scan compares what it found with what is stored; what is stored but was not found is:
* kept as it is when it lies under a place the scan could not look (a host it could not reach,
  a fetch that failed): not finding it there proves nothing;
* marked stale (`stale_since`, and `last_seen` when it was last seen) by the first full scan
  that misses it: the change log records it as removed, the UI draws it faded;
* deleted by the next full scan that misses it again (nothing more is logged: it already was).
With `clear`, nothing is carried over: everything not found is deleted at once, protected or not.
"""

from __future__ import annotations

from bson import ObjectId


def _under(path: str, prefixes: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in prefixes)


def missing_objects(stored: dict[ObjectId, dict], found: set[ObjectId], protected: list[str],
                    clear: bool = False) -> tuple[list[ObjectId], list[ObjectId]]:
    """(to mark stale, to delete) among the stored objects the scan did not find."""
    stale, gone = [], []
    for oid, meta in stored.items():
        if oid in found:
            continue
        if clear:
            gone.append(oid)
        elif _under(meta.get("id_path") or "", protected):
            continue
        elif meta.get("stale_since"):
            gone.append(oid)
        else:
            stale.append(oid)
    return stale, gone


def missing_links(stored: dict[ObjectId, dict], found: set[ObjectId], protected: set[ObjectId],
                  clear: bool = False) -> tuple[list[ObjectId], list[ObjectId]]:
    """(to mark stale, to delete) among the stored links the links phase did not produce;
    those touching a protected object are kept."""
    stale, gone = [], []
    for oid, meta in stored.items():
        if oid in found:
            continue
        if clear:
            gone.append(oid)
        elif meta.get("source") in protected or meta.get("target") in protected:
            continue
        elif meta.get("stale_since"):
            gone.append(oid)
        else:
            stale.append(oid)
    return stale, gone
