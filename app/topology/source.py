"""Reading what a topology view needs from the store: a clique, its links, its objects, hover cards.

Reads by `_id` in batches (the one lookup every store serves from an index); the clique's
links are read from `links`, not from its `links_detailed` copy, so statuses are current. The
tunnels between the clique's OTEPs are added as derived `otep-otep` links (app.topology.tunnels).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Mapping

from bson import ObjectId

from app.cliques import clique_key
from app.inventory import Inventory
from app.links import Links
from app.store.keys import as_object_id, stable_id
from app.store.store import Store
from app.topology.hover import HoverSpec
from app.topology.tunnels import TunnelMesh, edges_among


# a clique's copies of its links and its string lists of ids: large, and never what a view needs
UNREAD = {"links_detailed": 0, "_nodes": 0, "_links": 0}


@dataclass
class CliqueData:
    clique: dict
    focal: dict
    objects: dict          # _id -> inventory document
    links: list[dict]


def hover_spec(store: Store) -> HoverSpec:
    return HoverSpec(store["attributes_for_hover_on_data"].find({}, {"_id": 0}))


def clique_oid(store: Store, env: str, *, object_id: str | None = None, focal_point: ObjectId | None = None,
               clique_id: ObjectId | None = None) -> ObjectId | None:
    """The `_id` a clique has (or would have), without reading it: cliques are keyed by their focal object."""
    if clique_id is not None:
        return clique_id
    if focal_point is None and object_id is not None:
        obj = Inventory(store).get(env, object_id)
        if obj is None:
            return None
        focal_point = obj["_id"]
    return stable_id("cliques", clique_key(env, focal_point)) if focal_point is not None else None


def find_clique(store: Store, env: str, *, object_id: str | None = None, focal_point: ObjectId | None = None,
                clique_id: ObjectId | None = None) -> dict | None:
    """The clique of a focal object, named by its inventory id, its ObjectId, or the clique's own ObjectId."""
    oid = clique_oid(store, env, object_id=object_id, focal_point=focal_point, clique_id=clique_id)
    doc = store["cliques"].find_one({"_id": oid}, UNREAD) if oid is not None else None
    return doc if doc and doc.get("environment") == env else None


def load_clique(store: Store, clique: dict, fields: tuple[dict, dict] | None = None) -> CliqueData | None:
    """The clique's focal object, links and every object they touch; None when the focal object is gone.
    With `fields` (objects', links'), only those are read, but for OTEPs and networks (their tunnels need more)."""
    inv = Inventory(store)
    focal = inv.get_by_object_id(as_object_id(clique["focal_point"]))
    if focal is None:
        return None
    object_fields, link_fields = fields or (None, None)
    links = Links(store)._in("_id", [as_object_id(i) for i in clique.get("links") or []], None, None, link_fields)
    oids = {focal["_id"]} | {as_object_id(i) for i in clique.get("nodes") or []}
    for l in links:
        oids.update((l["source"], l["target"]))
    objects = {d["_id"]: d for d in inv.by_object_ids(oids, object_fields)}
    if object_fields:
        whole = [i for i, d in objects.items() if d.get("type") in ("otep", "network")]
        objects.update((d["_id"], d) for d in inv.by_object_ids(whole))
    objects[focal["_id"]] = focal
    oteps = [d for d in objects.values() if d.get("type") == "otep"]
    if len(oteps) > 1:   # the tunnels between the clique's OTEPs: derived edges, never stored
        nets = [d for d in objects.values() if d.get("type") == "network"]
        links = links + edges_among(TunnelMesh(store, clique["environment"]), oteps, nets)
    return CliqueData(clique, focal, objects, links)


@dataclass(frozen=True)
class Known:
    """Cliques, objects and links (by `_id`) a writer has just inserted whole, as it wrote them: a summary made
    right after takes them from memory instead of reading them back (3.7 s of a 1,000-host first scan's write).
    Only inserted ones: an updated document keeps fields other writers set (monitoring's status)."""
    cliques: Mapping[ObjectId, dict] = field(default_factory=dict)
    objects: Mapping[ObjectId, dict] = field(default_factory=dict)
    links: Mapping[ObjectId, dict] = field(default_factory=dict)


NOTHING = Known()


def _light(doc: dict, oid: ObjectId, fields: dict) -> dict:
    out = {f: doc[f] for f in fields if f in doc}
    out["_id"] = oid
    return out


def load_light(store: Store, clique: dict, object_fields: dict, link_fields: dict,
               known: Known = NOTHING) -> CliqueData | None:
    """As load_clique, reading only `object_fields` and `link_fields`, and taking what `known` holds from memory:
    for a summary of a large clique."""
    inv = Inventory(store)
    focal_id = as_object_id(clique["focal_point"])
    focal = known.objects.get(focal_id)
    focal = _light(focal, focal_id, object_fields) if focal is not None else inv.get_by_object_id(focal_id)
    if focal is None:
        return None
    link_ids = [as_object_id(i) for i in clique.get("links") or []]
    links = [_light(known.links[i], i, link_fields) for i in link_ids if i in known.links]
    links += Links(store)._in("_id", [i for i in link_ids if i not in known.links], None, None, link_fields)
    oids = {focal["_id"]} | {as_object_id(i) for i in clique.get("nodes") or []}
    for l in links:
        oids.update((l["source"], l["target"]))
    objects = {i: _light(known.objects[i], i, object_fields) for i in oids if i in known.objects}
    objects.update((d["_id"], d) for d in inv.by_object_ids([i for i in oids if i not in known.objects], object_fields))
    return CliqueData(clique, focal, objects, links)


def whole_objects(store: Store, oids, fields: dict | None = None) -> dict:
    """Objects by `_id` (with `fields`: only those)."""
    return {d["_id"]: d for d in Inventory(store).by_object_ids([as_object_id(i) for i in oids], fields)}


def whole_links(store: Store, oids, fields: dict | None = None) -> list[dict]:
    """Links by `_id` (with `fields`: only those)."""
    return Links(store)._in("_id", [as_object_id(i) for i in oids], None, None, fields)
