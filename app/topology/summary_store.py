"""Stored summaries of large cliques: what each host holds and how hosts are linked, computed once.

Reading the type and host of 40,000 objects and 40,000 links took 10-30 s on the embedded store,
so a 10,000-host network clique could not open as summaries on request. Its summary is therefore
computed when the clique is written (the scanner and the listener call `refresh` after their
change-log entry) and kept in `clique_summaries` (one small document per clique: per place the
object count by type, per pair of places the link count by type) and `clique_places` (one
document per host or switch: its members and links, read only when the user opens it).

Statuses are not frozen in it: each place and aggregated edge keeps only whether it is monitored
("OK" or none); what fails now is read at request time through the `status` index
(app.topology.summary). A summary stands for the environment's change marker (`changes_state.seq`)
it was made at; when the marker has moved, it is still good if the clique's content hash is the same
and no change since touched the host, type or name of its members nor the ends of its links;
otherwise it is made again.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from typing import Callable, Iterable

from bson import ObjectId
from pymongo import ReplaceOne

from app.changelog import ChangeLog
from app.store.keys import as_object_id, k, stable_id
from app.store.store import Store
from app.topology.graph import status_of, worst
from app.topology.source import NOTHING, UNREAD, Known, load_light
from app.write_behind import WriteBehind

log = logging.getLogger(__name__)

SUMMARIES = "clique_summaries"
PLACES = "clique_places"
# the change marker a standing summary was last checked at, apart from it: a scan that leaves a large
# clique as it was moves the marker of every stored summary, and rewriting each whole for it (the store
# rewrites a document to change one field) cost 27 MB at 3,000 hosts for a host added
MARKS = "clique_summary_marks"
STORE_ABOVE = 500          # cliques with more objects than this keep a stored summary
LIGHT = {"_id": 1, "id": 1, "type": 1, "host": 1, "switch": 1, "name": 1, "object_name": 1, "status": 1,
         "status_value": 1}
LIGHT_LINK = {"_id": 1, "source": 1, "target": 1, "link_type": 1, "status": 1, "status_value": 1}
# fields whose change moves an object between places or renames what a summary shows
OBJECT_FIELDS = {"host", "switch", "type", "name", "object_name", "id"}
LINK_FIELDS = {"source", "target", "link_type"}
TOUCHED_MAX = 20000        # more changed objects than this since the summary: made again without looking


def place_of(doc: dict) -> str | None:
    """The summary key of the host (or switch) an object sits on: `host:<name>`, `switch:<name>`."""
    for kind in ("host", "switch"):
        if isinstance(doc.get(kind), str) and doc[kind]:
            return f"{kind}:{doc[kind]}"
    return None


def monitored(doc: dict) -> str | None:
    """'OK' when monitoring checks it (whatever it says now: failures are read live), else None."""
    return "OK" if status_of(doc) is not None else None


def place_id(clique_id, key: str) -> ObjectId:
    return stable_id(PLACES, k(str(clique_id), key))


def compute(clique: dict, focal: dict, objects: dict, links: list[dict], marker: int) -> tuple[dict, dict]:
    """(summary document, place key -> place document) of a clique from light projections; the same whatever
    order they come in (read back from the store or taken from what a writer just wrote)."""
    cid, fid = clique["_id"], str(focal["_id"])
    docs = dict(sorted((str(i), d) for i, d in objects.items()))
    docs.setdefault(fid, focal)
    links = sorted(links, key=lambda l: str(l["_id"]))
    where = {i: (None if i == fid else place_of(d)) for i, d in docs.items()}
    members: dict[str, list[str]] = defaultdict(list)
    for i, p in where.items():
        if p:
            members[p].append(i)
    places = []
    for p, ids in sorted(members.items()):
        types = Counter(docs[i].get("type") or "object" for i in ids)
        places.append([p, len(ids), sorted(types.items()), worst(monitored(docs[i]) for i in ids)])
    edges: dict[tuple, list] = {}
    loose_links, place_links = [], defaultdict(list)
    for l in links:
        s, t = str(l["source"]), str(l["target"])
        if s not in where or t not in where:
            continue
        sp, tp = where[s], where[t]
        entry = [str(l["_id"]), s, t, sp, tp, l.get("link_type") or "link", monitored(l)]
        if not sp and not tp:
            loose_links.append(entry)
            continue
        for p in {sp, tp} - {None}:
            place_links[p].append(entry)
        a, b = sp or s, tp or t
        if a == b:
            continue
        key = (a, b) if a < b else (b, a)
        e = edges.setdefault(key, [key[0], key[1], 0, Counter(), None])
        e[2] += 1
        e[3][entry[5]] += 1
        e[4] = worst([e[4], entry[6]])
    summary = {"_id": cid, "environment": clique["environment"], "clique_hash": clique.get("_hash"),
               "marker": marker, "focal": fid, "nodes": len(docs), "links": len(links),
               "truncated": bool(clique.get("truncated")),
               "loose": [i for i, p in where.items() if not p], "loose_links": loose_links, "places": places,
               "edges": [[a, b, n, sorted(types.items()), st] for a, b, n, types, st in edges.values()]}
    place_docs = {p: {"_id": place_id(cid, p), "clique": str(cid), "environment": clique["environment"], "key": p, "members": ids,
                      "links": place_links.get(p, [])} for p, ids in members.items()}
    return summary, place_docs


def build(store: Store, clique: dict, marker: int, known: Known = NOTHING) -> tuple[dict, dict] | None:
    """Read the clique's light projection (what `known` holds from memory) and summarize it; None when its
    focal object is gone."""
    data = load_light(store, clique, LIGHT, LIGHT_LINK, known)
    if data is None:
        return None
    return compute(clique, data.focal, data.objects, data.links, marker)


def save(store: Store, summary: dict, places: dict) -> None:
    """Replace the stored summary and places of a clique, writing only the places that changed: a host
    joining a 3,000-host network rewrote every host's place (30 MB written for 22 documents)."""
    cid = summary["_id"]
    stored = {d["_id"]: d for d in store[PLACES].find({"clique": str(cid)})}
    new = {d["_id"]: d for d in places.values()}
    stale = [i for i, d in stored.items() if new.get(i) != d]
    docs = [d for i, d in new.items() if stored.get(i) != d]
    for start in range(0, len(stale), 1000):
        store[PLACES].delete_many({"_id": {"$in": stale[start:start + 1000]}})
    for start in range(0, len(docs), 1000):
        store[PLACES].insert_many(docs[start:start + 1000])
    store[SUMMARIES].replace_one({"_id": cid}, summary, upsert=True)
    store[MARKS].delete_one({"_id": cid})


def stored_summary(store: Store, clique_id) -> bool:
    """Whether a clique has a stored summary (made when it was written with more than STORE_ABOVE objects)."""
    return store[SUMMARIES].find_one({"_id": clique_id}, {"_id": 1}) is not None


def forget(store: Store, clique_ids: Iterable) -> None:
    ids = list(clique_ids)
    if ids:
        store[PLACES].delete_many({"clique": {"$in": [str(c) for c in ids]}})
        store[SUMMARIES].delete_many({"_id": {"$in": ids}})
        store[MARKS].delete_many({"_id": {"$in": ids}})


def clear(store: Store, env: str) -> int:
    """Remove every stored summary of `env` (the environment is purged)."""
    store[PLACES].delete_many({"environment": env})
    store[MARKS].delete_many({"environment": env})
    return store[SUMMARIES].delete_many({"environment": env}).deleted_count


def _touched(store: Store, env: str, clique_id, since: int) -> bool:
    """Whether a change logged after `since` moved or renamed a member of the clique or re-ended one of its links."""
    log_ = ChangeLog(store)
    pruned = log_.pruned_before(env)
    entries = log_.entries(env, since)
    if pruned is not None and (not entries or entries[0]["seq"] != since + 1):
        return True
    objects, links = set(), set()
    for e in entries:
        for part, fields, into in (("objects", OBJECT_FIELDS, objects), ("links", LINK_FIELDS, links)):
            for r in e[part]:
                if r.get("_id") is not None and (r.get("op") != "changed" or fields & set(r.get("fields") or ())):
                    into.add(str(r["_id"]))
    if len(objects) + len(links) > TOUCHED_MAX:
        return True
    own = as_object_id(clique_id)
    for field, ids in (("_nodes", sorted(objects)), ("_links", sorted(links))):
        for start in range(0, len(ids), 1000):   # this clique only: not every clique holding one of them
            if store["cliques"].find_one({"_id": own, field: {"$in": ids[start:start + 1000]}}, {"_id": 1}):
                return True
    return False


def current(store: Store, env: str, clique_id, keep_above: int = STORE_ABOVE,
            known: Known = NOTHING, marks: list[dict] | None = None,
            saving: Callable[[dict, dict], None] | None = None) -> tuple[dict, dict | None] | None:
    """(summary, places or None when they are stored) of a clique as it is now; None when there is no such clique.

    The stored summary when it still stands, else one made now (and stored when the clique has more than
    `keep_above` objects). `known`: what the caller just wrote, taken from memory rather than read back.
    `marks`: where a standing summary's new marker goes for the caller to write with others, else written now.
    `saving`: takes a summary made again (and its places) for the caller to save, else saved now."""
    marker = ChangeLog(store).last_seq(env)
    kept = store[SUMMARIES].find_one({"_id": clique_id})
    if kept is not None:
        mark = store[MARKS].find_one({"_id": clique_id}) or {}
        kept["marker"] = max(kept.get("marker") or 0, mark.get("marker") or 0)
    if kept is not None and kept.get("environment") == env and kept.get("marker") == marker:
        return kept, None
    written = known.cliques.get(clique_id)
    stamp = written if written is not None else \
        store["cliques"].find_one({"_id": clique_id}, {"_hash": 1, "environment": 1})
    if stamp is None or stamp.get("environment") != env:
        return None
    if (kept is not None and kept.get("environment") == env and kept.get("clique_hash") == stamp.get("_hash")
            and not _touched(store, env, clique_id, kept.get("marker", 0))):
        mark = {"_id": clique_id, "environment": env, "marker": marker}
        if marks is None:
            store[MARKS].replace_one({"_id": clique_id}, mark, upsert=True)
        else:
            marks.append(mark)
        return {**kept, "marker": marker}, None
    clique = written if written is not None else store["cliques"].find_one({"_id": clique_id}, UNREAD)
    made = build(store, clique, marker, known) if clique is not None else None
    if made is None:
        return None
    if made[0]["nodes"] > keep_above:
        if saving is not None:
            saving(*made)
        else:
            save(store, *made)
        log.info("clique %s of %s summarized: %d objects on %d hosts", clique_id, env, made[0]["nodes"],
                 len(made[0]["places"]))
        return made[0], None
    if kept is not None:
        forget(store, [clique_id])      # grown small: made on request from now on
    return made


def refresh(store: Store, env: str, written: Iterable[tuple[ObjectId, int]] = (), known: Known = NOTHING) -> int:
    """After a write: make again the stored summaries of `env` that no longer stand, and those of the
    `written` cliques ((_id, object count)) with more than STORE_ABOVE objects. Returns how many stand.
    `known`: the cliques, objects and links the caller has just inserted, as it wrote them.

    Each summary is saved while the next is made (app.write_behind; a 1,000-host first scan: 52 summaries,
    1.0 s to make and 1.35 s to save, one after the other)."""
    ids = {as_object_id(d["_id"]) for d in store[SUMMARIES].find({"environment": env}, {"_id": 1})}
    ids |= {as_object_id(cid) for cid, n in written if n > STORE_ABOVE}
    marks: list[dict] = []
    with WriteBehind("summary-save") as saves:     # two at most made and not saved: a large cloud's places are big
        def saving(summary: dict, places: dict) -> None:
            saves.submit(save, store, summary, places)
        gone = [cid for cid in sorted(ids) if current(store, env, cid, STORE_ABOVE, known, marks, saving) is None]
    for start in range(0, len(marks), 1000):   # one command: 500 summaries that stand, one store transaction
        store[MARKS].bulk_write([ReplaceOne({"_id": m["_id"]}, m, upsert=True) for m in marks[start:start + 1000]],
                                ordered=False)
    forget(store, gone)
    return len(ids) - len(gone)
