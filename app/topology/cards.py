"""One graph element's hover card, read when a user points at it, with the ids it shows named.

The clique graph ships no cards: at 2,000 nodes they were most of its 2.8 MB answer, read for
objects nobody points at. A card is the `attributes_for_hover_on_data` rows of one object or
link (app.topology.hover); every value that is another object's inventory id in the same
environment (a port's `network_id`, a switch pNIC's `parent_id`, a link's `source_id`) comes
back with that object's name and type, all read in one batched lookup, so the page shows names
that link to their objects instead of raw ids.
"""

from __future__ import annotations

from bson import ObjectId

from app.inventory import Inventory
from app.plain import plain
from app.store.store import Store
from app.topology.graph import name_of, status_of
from app.topology.hover import HoverSpec

MAX_REFS = 200   # ids looked up per card at most (a list attribute can be long)


def _strings(value) -> list[str]:
    if isinstance(value, str):
        return [value] if value else []
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str) and v]
    return []


def named(store: Store, env: str, ids: list[str], exclude: str | None = None) -> dict[str, dict]:
    """{inventory id: {name, type}} for those of `ids` that are objects of `env` (one batched read)."""
    wanted = list(dict.fromkeys(i for i in ids if i != exclude))[:MAX_REFS]
    found = Inventory(store).names(env, wanted) if wanted else []
    return {d["id"]: {"name": name_of(d), "type": d.get("type")} for d in found if isinstance(d.get("id"), str)}


def card(store: Store, env: str, oid: ObjectId, spec: HoverSpec) -> dict | None:
    """The card of the inventory object or link `oid` of `env`; None when there is none."""
    doc = store["inventory"].find_one({"_id": oid})
    kind = "object"
    if doc is None:
        doc, kind = store["links"].find_one({"_id": oid}), "link"
    if doc is None or doc.get("environment") != env:
        return None
    obj_type = doc.get("type") if kind == "object" else "link"
    rows = spec.card(doc, obj_type or "")
    if kind == "link":   # which objects it joins, by name (the hover attributes name only its type and status)
        rows = [[end, doc.get(f"{end}_id")] for end in ("source", "target") if isinstance(doc.get(f"{end}_id"), str)] + rows
    refs = named(store, env, [s for _, v in rows for s in _strings(v)], doc.get("id") if kind == "object" else None)
    out_rows = []
    for label, value in rows:
        known = {s: refs[s] for s in _strings(value) if s in refs}
        out_rows.append([label, value, known] if known else [label, value])
    return {
        "id": str(oid), "kind": kind, "type": obj_type, "object_id": doc.get("id") if kind == "object" else None,
        "name": name_of(doc) if kind == "object" else (doc.get("link_name") or doc.get("link_type")),
        "tooltip": spec.tooltips.get(obj_type or ""), "status": status_of(doc), "status_text": doc.get("status_text"),
        "last_seen": plain(doc.get("last_seen") or doc.get("last_scanned")), "rows": out_rows,
    }
