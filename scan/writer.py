"""The write phase of a scan: compare everything with the store first, then apply the difference.

Nothing is written while the scan fetches and computes: objects, links and cliques are each
compared with what is stored (content hashes, see app.diffing), and only at the end is the
difference applied, in an order that keeps readers' picture whole: new and changed objects,
then links, then cliques, and only then what is retired (links, cliques, objects). A reader
polling meanwhile sees the old picture, then old and new objects side by side for the
moment the burst lasts, never fewer objects than before or after, and never a link whose end
is missing. A scan that fails before this phase leaves the store untouched; one that dies in
it leaves a partial difference, which the next scan completes (it compares with what is there).
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from datetime import datetime

from bson import ObjectId

from app.cliques import Cliques, LinkCopies, link_copy, stored_form
from app.clock import Clock, utcnow
from app.diffing import FOREIGN, Change, Changes, Comparison, compare
from app.inventory import Inventory, object_id
from app.links import Links, link_id
from app.store.keys import as_object_id
from app.store.store import Store
from app.topology.source import Known
from app.tunnel_mesh import COLLECTION as MESHES
from scan.retire import missing_links, missing_objects

log = logging.getLogger(__name__)


class ScanWriter:
    def __init__(self, store: Store, env: str, clock: Clock = utcnow, clear: bool = False,
                 previous_scan: datetime | None = None):
        self.link_copies: LinkCopies | None = None   # while cliques are built (clique_sink)
        self.store = store
        self.env = env
        self.clock = clock
        self.clear = clear
        self.previous_scan = previous_scan          # when the last full scan saw what it saw
        self.inventory = Inventory(store, clock)
        self.links = Links(store, clock)
        self.cliques = Cliques(store, clock)
        self._objects: dict[ObjectId, dict] | None = None
        self._links: dict[ObjectId, dict] | None = None
        self.found_paths: dict[ObjectId, str] = {}
        self.objects_cmp: Comparison | None = None
        self.links_cmp: Comparison | None = None
        self.object_stale: list[ObjectId] = []
        self.object_gone: list[ObjectId] = []
        self.link_stale: list[ObjectId] = []
        self.link_gone: list[ObjectId] = []
        self.patches: list[tuple[dict, dict]] = []   # stored objects a link finder annotated
        self.clique_forms: list[tuple[ObjectId, dict]] = []
        self.clique_focal: list[ObjectId] = []
        self._clique_links: dict[ObjectId, dict] = {}
        self._clique_index: dict[ObjectId, dict] | None = None
        self._cliques_built: set[ObjectId] | None = None
        self._clique_scope: set[ObjectId] | None = None
        self._preloaded: dict[str, Future] = {}
        self.meshes: list[dict] = []                  # tunnel mesh documents (app.tunnel_mesh)

    def preload(self) -> None:
        """Start reading what is stored (the indexes of objects, links and cliques) on a thread of its own. A full
        scan calls this before it fetches: the store is idle meanwhile, and a rescan of a large
        cloud used to wait for these reads after the fetch (tens of seconds at 1,000 hosts)."""
        pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="stored-index")
        self._preloaded = {"objects": pool.submit(self.inventory.index, self.env),
                           "links": pool.submit(self.links.index, self.env),
                           "cliques": pool.submit(self.cliques.index, self.env)}
        pool.shutdown(wait=False)     # the reads run on; the thread ends after the last

    def _stored(self, what: str, read):
        future = self._preloaded.pop(what, None)
        return future.result() if future is not None else read()

    # -- what is stored -------------------------------------------------------------------------
    def stored_objects(self) -> dict[ObjectId, dict]:
        if self._objects is None:
            self._objects = self._stored("objects", lambda: self.inventory.index(self.env))
        return self._objects

    def stored_links(self) -> dict[ObjectId, dict]:
        if self._links is None:
            self._links = self._stored("links", lambda: self.links.index(self.env))
        return self._links

    # -- planning -------------------------------------------------------------------------------
    def as_stored(self, links: list[dict]) -> list[dict]:
        """Found links as the store holds them after the write: what other writers set on a stored link
        (monitoring status) survives a rescan, so a clique copying the link (`links_detailed`) keeps it
        too; a clique built without it differed from the one monitoring left, and every scan rewrote it."""
        stored = self.stored_links()
        out = []
        for link in links:
            meta = stored.get(link.get("_id")) or {}
            kept = {f: meta[f] for f in FOREIGN if f in meta and f not in link}
            out.append({**link, **kept} if kept else link)
        return out

    def plan_retirement(self, found: set[ObjectId], protected: list[str]) -> None:
        """A full scan: what it did not find is kept (protected), marked stale, or deleted."""
        stored = self.stored_objects()
        _name(stored, [o for o in stored if o not in found], self.inventory.described)
        self.object_stale, self.object_gone = missing_objects(stored, found, protected, self.clear)

    def kept(self, found: set[ObjectId]) -> list[ObjectId]:
        """Stored live objects a full scan did not find but keeps (it could not look there)."""
        retired = set(self.object_stale) | set(self.object_gone)
        return [o for o, m in self.stored_objects().items()
                if o not in found and o not in retired and not m.get("stale_since")]

    def plan_objects(self, docs: list[dict]) -> None:
        """Compare the objects the scan found with the stored ones (after link finders annotated them)."""
        found = {}
        for d in docs:
            oid = object_id(self.env, d["type"], d["id"])
            d["_id"] = oid
            found[oid] = d
            self.found_paths[oid] = d.get("id_path")
        self.objects_cmp = compare(found, self.stored_objects(), self.inventory.by_object_ids)

    def plan_meshes(self, meshes) -> None:
        """The tunnel meshes the scan read (app.tunnel_mesh.Mesh), written where their content changed."""
        self.meshes = [m.doc(self.env) for m in meshes]

    def plan_patches(self, changes: list[tuple[dict, dict]]) -> None:
        """Fields a link finder set on kept objects (read from the store, not found by this scan):
        (document, name -> (before, after))."""
        self.patches = [(d, f) for d, f in changes if f]

    def plan_links(self, links: list[dict], protected: set[ObjectId] | None = None, retire: bool = False) -> None:
        found = {}
        for link in links:
            oid = link_id(self.env, link["link_type"], link["source_id"], link["target_id"])
            link["_id"] = oid
            found[oid] = link
        stored = self.stored_links()
        self.links_cmp = compare(found, stored, self.links.by_ids)
        if retire:   # what it retires, it names (the index names no link)
            _name(stored, [o for o in stored if o not in found], self.links.described)
            self.link_stale, self.link_gone = missing_links(stored, set(found), protected or set(), self.clear)

    def stored_cliques(self) -> dict[ObjectId, dict]:
        if self._clique_index is None:
            self._clique_index = self._stored("cliques", lambda: self.cliques.index(self.env))
        return self._clique_index

    def touched(self) -> set[ObjectId] | None:
        """Objects this scan found added, changed or gone, and the ends of links it found so; None when a
        network is among them (its type picks the clique type of what is on it: every clique may change)."""
        if self.objects_cmp is None or self.links_cmp is None:
            return None
        o, lk = self.objects_cmp, self.links_cmp
        docs = o.added + [d for d, _ in o.changed + o.rewrite + o.revived] + [d for d, _ in self.patches]
        stored = self.stored_objects()
        gone = self.object_stale + self.object_gone
        if any(d.get("type") == "network" for d in docs) or any(stored[g].get("type") == "network" for g in gone):
            return None
        out = {d["_id"] for d in docs} | set(gone)
        for link in lk.added + [d for d, _ in lk.changed + lk.rewrite + lk.revived]:
            out |= {link["source"], link["target"]}
        links = self.stored_links()
        for oid in self.link_stale + self.link_gone:
            out |= {links[oid].get("source"), links[oid].get("target")} - {None}
        return out

    def clique_scope(self, plan_key: str) -> set[ObjectId] | None:
        """What a full rescan rebuilds the cliques of, None for everything. As the listener does: the objects
        that changed, ends of links that changed, and the focal points of stored cliques holding any of
        them. Everything when a stored clique was built by another plan (clique types, constraints, bound)
        or by code that did not say (no `_plan`), or when a network changed."""
        stored = self.stored_cliques()
        if self.clear or not stored or any(m.get("_plan") != plan_key for m in stored.values()):
            return None
        touched = self.touched()
        if touched is None:
            return None
        return touched | self.cliques.focal_points_near(self.env, touched)

    def clique_sink(self, links: list[dict], retire: bool = True, scope: set[ObjectId] | None = None):
        """A sink for scan.cliques.find_cliques, given the `links` they are built from: keeps only the
        cliques whose content changed; with `retire`, the stored cliques it is not given are deleted (of
        the focal points in `scope`, when the scan rebuilds only those).

        A kept clique waits for the write without its copies of links, which are made again from `links`
        as it is written: held for every clique of a first scan they were 100 MB at 1,000 hosts. While they
        are built, one copy of each link and its text (`link_copies`, to pass to scan.cliques.find_cliques:
        about 1.1 KB a link) serve all its cliques; `cliques_built` lets them go."""
        hashes = {o: m.get("_hash") for o, m in self.stored_cliques().items()}
        self.link_copies = LinkCopies()
        self._cliques_built = set()
        self._retire_cliques = retire
        self._clique_scope = scope
        self._clique_links = {l["_id"]: l for l in links}
        seen = self.clock()

        def sink(batch: list[dict]) -> None:
            for clique in batch:
                oid, body = stored_form(clique, seen, self.link_copies)
                self._cliques_built.add(oid)
                self.clique_focal.append(clique["focal_point"])
                if hashes.get(oid) != body["_hash"]:
                    if "links_detailed" in body:
                        body["links_detailed"] = None     # its place in the document, filled in when written
                    self.clique_forms.append((oid, body))
        return sink

    def cliques_built(self) -> None:
        """Every clique is built: the shared copies of links go (the written cliques' are made anew)."""
        self.link_copies = None

    def written_cliques(self) -> list[tuple[ObjectId, int]]:
        """(_id, object count) of the cliques this scan wrote."""
        return [(oid, len(body.get("_nodes") or ())) for oid, body in self.clique_forms]

    def just_written(self, above: int) -> Known:
        """What this scan wrote whole, for the summaries made right after (app.topology.source.Known): its
        cliques of more than `above` objects (every field of one is the scan's), its new objects and links."""
        return Known(cliques={oid: {**body, "_id": oid} for oid, body in self.clique_forms
                              if len(body.get("_nodes") or ()) > above},
                     objects={d["_id"]: d for d in self.objects_cmp.added} if self.objects_cmp else {},
                     links={l["_id"]: l for l in self.links_cmp.added} if self.links_cmp else {})

    def _clique_bodies(self):
        """The kept cliques as written, each with its copies of links made again (scan.cliques builds
        them from the same links, by the same rule: app.cliques.link_copy)."""
        links = self._clique_links
        for oid, body in self.clique_forms:
            if "links_detailed" in body:
                body = {**body, "links_detailed": [link_copy(links[i]) for i in body["links"]]}
            yield oid, body

    # -- applying -------------------------------------------------------------------------------
    def apply(self, seen: datetime) -> tuple[Changes, dict]:
        """Write the difference; returns what changed (for the change log) and write counts."""
        changes = Changes()
        writes = {"inventory": 0, "links": 0, "cliques": 0}
        stored_objects = self._objects or {}
        focal = {o for o in self.clique_focal if not (stored_objects.get(o) or {}).get("clique")}
        if self.meshes:   # before the objects: an OTEP's `tunnels` is read against the mesh it was compared with
            writes["tunnel_meshes"] = write_meshes(self.store[MESHES], self.meshes, seen)
        if self.objects_cmp is not None:
            added, updated = self.objects_cmp.writes()
            hashes: dict[ObjectId, str] = {}
            writes["inventory"] += self.inventory.write(added, updated, seen, hashes, focal)
            focal -= hashes.keys()      # flagged as they were written
            _note_hashes(added + [d for d, _ in updated], hashes)   # the change log's, not hashed again
            changes.objects += self.objects_cmp.log()
        writes["inventory"] += self.inventory.patch([(d["_id"], {f: a for f, (_, a) in fl.items()})
                                                     for d, fl in self.patches])
        changes.objects += [Change("changed", d, f) for d, f in self.patches]
        if self.links_cmp is not None:
            added, updated = self.links_cmp.writes()
            hashes = {}
            writes["links"] += self.links.write(added, updated, seen, hashes)
            _note_hashes(added + [d for d, _ in updated], hashes)
            changes.links += self.links_cmp.log()
        if self.clique_forms:
            from app.store.bulk import upsert_by_id
            # none stored (a first scan): no batch asks the store which of its cliques are there
            writes["cliques"] += upsert_by_id(self.cliques.coll, self._clique_bodies(), seen,
                                              new=not self.stored_cliques())
        flags = [o for o in dict.fromkeys(self.clique_focal) if o in focal]
        for start in range(0, len(flags), 1000):
            self.store["inventory"].update_many({"_id": {"$in": flags[start:start + 1000]}}, {"$set": {"clique": True}})
        writes["inventory"] += len(flags)
        # -- retirement, last -------------------------------------------------------------------
        now = self.clock()
        link_gone = list(self.link_gone)
        if self.object_gone:
            ends = set(self.object_gone)
            taken = set(link_gone) | set(self.link_stale)
            link_gone += [oid for oid, m in self.stored_links().items()
                          if oid not in taken and (m.get("source") in ends or m.get("target") in ends)]
        stored_links = self._links or {}
        changes.links += [Change("removed", stored_links[o]) for o in self.link_stale]
        changes.links += [Change("removed", stored_links[o]) for o in link_gone if not stored_links[o].get("stale_since")]
        self.links.mark_stale(self.link_stale, now)
        writes["links"] += len(self.link_stale) + self.links.delete(link_gone)
        if self._cliques_built is not None and self._retire_cliques:
            writes["cliques"] += self.cliques.delete_ids(self._old_cliques())
        if self.object_gone:
            writes["cliques"] += self.cliques.delete_for_focal_points(self.env, self.object_gone)
        last_seen = {o: max([t for t in (stored_objects[o].get("last_seen"), self.previous_scan) if t is not None],
                            key=_naive, default=None) for o in self.object_stale}
        self.inventory.mark_stale(self.object_stale, now, last_seen)
        writes["inventory"] += len(self.object_stale) + self.inventory.delete(self.object_gone)
        changes.objects += [Change("removed", stored_objects[o]) for o in self.object_stale]
        changes.objects += [Change("removed", stored_objects[o]) for o in self.object_gone
                            if not stored_objects[o].get("stale_since")]
        return changes, writes

    def paths(self, changes: Changes) -> dict:
        """id_path by object `_id` of the ends of the links in `changes`: where each sits in the tree."""
        ends = {e for c in changes.links for e in (c.doc.get("source"), c.doc.get("target")) if e is not None}
        stored = self._objects or {}
        _name(stored, [e for e in ends if e not in self.found_paths and e in stored], self.inventory.described)
        return {e: self.found_paths[e] if e in self.found_paths else (stored.get(e) or {}).get("id_path")
                for e in ends}

    def counts(self) -> dict:
        c = {}
        for name, cmp in (("objects", self.objects_cmp), ("links", self.links_cmp)):
            if cmp is not None:
                c[name] = {"added": len(cmp.added) + len(cmp.revived), "changed": len(cmp.changed),
                           "unchanged": cmp.unchanged}
        c.setdefault("objects", {})["stale"] = len(self.object_stale)
        c["objects"]["removed"] = len(self.object_gone)
        c.setdefault("links", {})["stale"] = len(self.link_stale)
        c["links"]["removed"] = len(self.link_gone)
        if self._cliques_built is not None and self._retire_cliques:
            c["cliques"] = {"rebuilt": len(self._cliques_built), "kept": sum(self.cliques_kept().values()),
                            "written": len(self.clique_forms), "removed": len(self._old_cliques())}
        return c

    def _old_cliques(self) -> list[ObjectId]:
        """Stored cliques this scan did not build again, of the focal points it rebuilt (all, or its scope)."""
        scope = self._clique_scope
        return [o for o, m in self.stored_cliques().items() if o not in self._cliques_built
                and (scope is None or as_object_id(m.get("focal_point")) in scope)]

    def cliques_kept(self) -> dict[str, int]:
        """Stored cliques left as they are (outside the scope rebuilt), by focal type."""
        scope, counts = self._clique_scope, {}
        if scope is None:
            return counts
        for m in self.stored_cliques().values():
            if as_object_id(m.get("focal_point")) not in scope:
                counts[m.get("focal_point_type")] = counts.get(m.get("focal_point_type"), 0) + 1
        return counts


def _name(index: dict[ObjectId, dict], oids: list[ObjectId], described) -> None:
    """Read what names these stored documents (Inventory.described, Links.described) into their index
    entries, which hold only hashes and flags; an entry named before is not read again."""
    unnamed = [o for o in oids if "last_seen" not in index[o]]
    if unnamed:
        for oid, fields in described(unnamed).items():
            index[oid].update(fields)


def _note_hashes(docs: list[dict], hashes: dict[ObjectId, str]) -> None:
    """Found documents are written once and then only logged: they keep the hash written."""
    for d in docs:
        h = hashes.get(d.get("_id"))
        if h is not None:
            d["_hash"] = h


def write_meshes(coll, docs: list[dict], seen: datetime) -> int:
    """Store the mesh documents whose content changed (one document each: a host joining rewrites its
    mesh's endpoint list, about 40 bytes an endpoint); how many were written."""
    stored = {d["_id"]: d.get("_hash") for d in coll.find({"_id": {"$in": [m["_id"] for m in docs]}}, {"_hash": 1})}
    written = 0
    for doc in docs:
        if stored.get(doc["_id"]) == doc["_hash"]:
            continue
        body = {**doc, "last_scanned": seen}
        if doc["_id"] in stored:
            coll.replace_one({"_id": doc["_id"]}, body)
        else:
            coll.insert_one(body)
        written += 1
    return written


def _naive(t: datetime):
    return t.replace(tzinfo=None) if t.tzinfo else t
