"""What a link finder is, and the in-memory index of the environment it reads.

Finders run on the whole inventory of the environment, loaded once (one query), so a
finder costs no store round trip per object. A finder may annotate objects (the
original's `network` on vNICs and vConnectors): it records them in `changed`.
"""

from __future__ import annotations

from typing import Protocol

from app.links import new_link


class LinkIndex:
    def __init__(self, env: dict, docs: list[dict]):
        self.env = env
        self.name = env["name"]
        self.docs = docs
        self.by_key: dict[tuple[str, str], dict] = {}
        self.by_type: dict[str, list[dict]] = {}
        self.by_host_type: dict[tuple[str, str], list[dict]] = {}
        for d in docs:
            self.by_key[(d["type"], d["id"])] = d
            self.by_type.setdefault(d["type"], []).append(d)
            if d.get("host"):
                self.by_host_type.setdefault((d["host"], d["type"]), []).append(d)
        self.changed: dict[tuple[str, str], dict] = {}
        self.links: list[dict] = []

    def get(self, obj_type: str, obj_id: str | None) -> dict | None:
        return self.by_key.get((obj_type, obj_id)) if obj_id is not None else None

    def of_type(self, obj_type: str) -> list[dict]:
        return self.by_type.get(obj_type, [])

    def on_host(self, host: str, obj_type: str) -> list[dict]:
        return self.by_host_type.get((host, obj_type), [])

    def annotate(self, doc: dict, field: str, value) -> None:
        if doc.get(field) != value:
            doc[field] = value
            self.changed[(doc["type"], doc["id"])] = doc

    def link(self, source: dict | None, target: dict | None, **kw) -> dict | None:
        if source is None or target is None or source is target:
            return None
        link = new_link(self.name, source, target, **kw)
        self.links.append(link)
        return link

    def host_has(self, host: str | None, role: str) -> bool:
        h = self.get("host", host)
        return bool(h and role in (h.get("host_type") or []))


class LinkFinder(Protocol):
    def find(self, idx: LinkIndex) -> None: ...


def pnic_state(pnic: dict) -> str:
    return "up" if str(pnic.get("Link detected", "")).lower() == "yes" else "down"


def net_attrs(doc: dict) -> dict:
    net = doc.get("network")
    return {"network": net} if isinstance(net, str) and net else {}


def real_name(doc: dict) -> str:
    """The device name as the host knows it (a stored `name` may have had `/` replaced)."""
    return doc.get("local_name") or doc.get("original_name") or doc.get("name") or ""
