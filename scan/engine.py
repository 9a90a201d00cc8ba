"""The inventory phase: walk the hierarchy level by level, fetch, place, write in bulk.

Level by level (breadth first, as the original's queue) so that what a fetcher reads from
earlier levels (ports before vConnectors, networks before vService vNICs) is complete;
inside a level every task runs concurrently, except entries that declare `after`.
A fetch that fails is recorded against its host and the scan goes on; the objects under
that parent are then protected from retirement, since the scan did not really look.
"""

from __future__ import annotations

import logging
import traceback
from dataclasses import dataclass, field
from typing import Callable

from app.errors import CalipsoError
from app.paths import place, root as env_root
from app.shared_strings import share
from scan.access.calls import RemoteError
from scan.conditions import matches
from scan.fetchers.base import ScanContext
from scan.hierarchy import ROOT, Entry, Hierarchy
from scan.parsers import ParseError

log = logging.getLogger(__name__)


@dataclass
class Task:
    scanner: str
    parent: dict
    only_id: str | None = None      # one-object rescans keep only this child
    only_type: str | None = None


@dataclass
class Outcome:
    entry: Entry
    parent: dict
    objects: list[dict] = field(default_factory=list)
    only_id: str | None = None
    failed: bool = False


def _host_of(parent: dict) -> str:
    return parent.get("host") or (parent["id"] if parent.get("type") == "host" else "")


def _across_hosts(batch: list[tuple[Entry, dict, str | None]]) -> list[tuple[Entry, dict, str | None]]:
    """The tasks of a wave taken a host at a time in turn, not host by host: the pool's threads
    then wait on as many hosts as possible (each host takes only a few calls at once, and the
    tasks of one host often wait for one shared per-host read)."""
    by_host: dict[str, list] = {}
    for item in batch:
        by_host.setdefault(_host_of(item[1]), []).append(item)
    if len(by_host) < 2:
        return batch
    queues = list(by_host.values())
    out = []
    for i in range(max(len(q) for q in queues)):
        out += [q[i] for q in queues if i < len(q)]
    return out


class Engine:
    def __init__(self, ctx: ScanContext, hierarchy: Hierarchy, runner, write: Callable[[list[dict]], None],
                 progress=None, patch: Callable[[list[tuple[dict, dict]]], None] | None = None,
                 after_level: Callable[[], None] | None = None):
        self.ctx = ctx
        self.after_level = after_level     # called when a level is placed (scan.memory.give_back)
        self.h = hierarchy
        self.runner = runner
        self.write = write
        self.patch = patch
        self.progress = progress
        self.failed_paths: list[str] = []   # id_paths under which the scan could not look
        self.queued: set[tuple[str, str, str]] = set()
        self.objects_found = 0
        self.placed: set[tuple[str, str]] = set()

    # -- running --------------------------------------------------------------------------------
    def run(self, tasks: list[Task] | None = None) -> None:
        level = tasks if tasks is not None else [Task(ROOT, env_root(self.ctx.name))]
        depth = 0
        while level:
            level = self._level(level)
            depth += 1

    def _level(self, tasks: list[Task]) -> list[Task]:
        items: list[tuple[Entry, dict, str | None, int]] = []
        for t in tasks:
            entries = self.h.scanners[t.scanner]
            wave_of: dict[str, int] = {}
            for e in entries:
                wave = 1 + max((wave_of.get(d, 0) for d in e.after), default=-1)
                wave_of[e.type] = max(wave_of.get(e.type, 0), wave)
                if t.only_type and e.type != t.only_type:
                    continue
                if not matches(e.when, self.ctx.env):
                    continue
                items.append((e, t.parent, t.only_id, wave))
        next_level: list[Task] = []
        for wave in sorted({w for *_, w in items}):
            batch = _across_hosts([(e, p, o) for e, p, o, w in items if w == wave])
            outcomes = self.runner.map(self._fetch, batch)
            for out in outcomes:
                next_level += self._place_all(out)
            self._flush()
        if self.after_level is not None:
            self.after_level()
        return next_level

    def _fetch(self, item: tuple[Entry, dict, str | None]) -> Outcome:
        entry, parent, only_id = item
        out = Outcome(entry, parent, only_id=only_id)
        fetcher = self.h.fetcher(entry)
        where = f"{entry.fetcher_name} under {parent.get('type')} {parent.get('id')}"
        host = _host_of(parent)
        try:
            objs = fetcher.fetch(self.ctx, parent)
            out.objects = [o for o in (objs or []) if isinstance(o, dict)]
        except RemoteError as e:
            out.failed = True
            self.ctx.errors.add(e.host if e.source == "SSH" else (host or e.host), f"{where}: {e}")
            log.warning("%s: %s", where, e)
        except ParseError as e:
            out.failed = True
            self.ctx.errors.add(host, f"{where}: malformed output: {e}")
            log.warning("%s: malformed output: %s", where, e)
        except CalipsoError as e:
            out.failed = True
            self.ctx.errors.add(host, f"{where}: {e}")
            log.warning("%s: %s", where, e)
        except Exception as e:  # a fetcher bug must not take the rest of the cloud down with it
            out.failed = True
            self.ctx.errors.add(host, f"{where}: internal error {type(e).__name__}: {e}")
            log.error("%s: internal error\n%s", where, traceback.format_exc())
        return out

    # -- placing --------------------------------------------------------------------------------
    def _place_all(self, out: Outcome) -> list[Task]:
        if out.failed:
            self.failed_paths.append(out.parent.get("id_path") or f"/{self.ctx.name}")
            return []
        tasks: list[Task] = []
        for obj in out.objects:
            if out.only_id is not None and str(obj.get("id")) != out.only_id:
                continue
            try:
                doc = self._place(obj, out.entry, out.parent)
            except (CalipsoError, KeyError, ValueError) as e:
                host = out.parent.get("host") or ""
                self.ctx.errors.add(host, f"{out.entry.fetcher_name}: object {obj.get('id')!r} not stored: {e}")
                continue
            if doc is None:
                continue
            if out.entry.children and doc["type"] == out.entry.type:
                key = (out.entry.children, doc["type"], doc["id"])
                if key not in self.queued:   # the original's de-duplication, working (spec §9.1)
                    self.queued.add(key)
                    tasks.append(Task(out.entry.children, doc))
        if self.progress:
            self.progress.objects(self.objects_found)
        return tasks

    def _resolve(self, obj_id: str, obj_type: str | None, fallback: dict) -> dict:
        if obj_id == self.ctx.name and obj_type in (None, "environment"):
            return env_root(self.ctx.name)
        found = self.ctx.found.get(obj_id, obj_type) or self.ctx.found.get(obj_id)
        if found is None:
            log.warning("parent %s %s not found; using %s", obj_type, obj_id, fallback.get("id"))
            return fallback
        return found

    def _store(self, doc: dict) -> None:
        self.ctx.found.add(doc)
        key = (doc["type"], doc["id"])
        if key not in self.placed:
            self.placed.add(key)
            self.objects_found += 1
        self._pending.append(doc)

    _pending: list[dict]

    def adopt(self, docs: list[dict]) -> None:
        """Documents placed by another process (a scan worker's hosts), as if placed here."""
        for doc in docs:
            self.ctx.found.add(doc)
            key = (doc["type"], doc["id"])
            if key not in self.placed:
                self.placed.add(key)
                self.objects_found += 1

    def _place(self, obj: dict, entry: Entry, parent: dict) -> dict | None:
        if not hasattr(self, "_pending"):
            self._pending = []
        obj = dict(obj)
        obj["type"] = obj.pop("_as_type", None) or entry.type
        scan_parent = [parent.get("type"), parent.get("id")]
        fold = obj.pop("_folder", None)
        if fold:
            master = self._resolve(fold["parent_id"], fold.get("parent_type"), parent)
            existing = self.ctx.found.get(fold["id"], fold["type"])
            if existing is None:
                fdoc = place({k: v for k, v in fold.items() if k not in ("parent_id", "parent_type")} |
                             {"create_object": True}, master, self.ctx.name)
                fdoc["_scan_parent"] = [master.get("type"), master.get("id")]
                self._store(fdoc)
                existing = fdoc
            obj["parent_id"], obj["parent_type"] = existing["id"], existing["type"]
            target = existing
        elif obj.get("parent_id") and obj["parent_id"] != parent.get("id"):
            target = self._resolve(obj["parent_id"], obj.get("parent_type"), parent)
            obj["parent_type"] = obj.get("parent_type") or target.get("type")
        else:
            obj["parent_id"], obj["parent_type"] = parent["id"], parent.get("type")
            target = parent
        for key in ("name", "text"):
            if "/" in str(obj.get(key) or ""):   # a `/` would add a level to name_path
                obj.setdefault(f"original_{key}", obj[key])
                obj[key] = str(obj[key]).replace("/", "\u2215")
        if "host" not in obj and target.get("host"):
            obj["host"] = target["host"]
        doc = share(place(obj, target, self.ctx.name))
        doc["_scan_parent"] = share(scan_parent)
        if doc.get("create_object") is False:
            return None
        self._store(doc)
        return doc

    def _flush(self) -> None:
        """Write this wave's new objects whole; objects written earlier get only their changed fields."""
        pending = list({(d["type"], d["id"]): d for d in getattr(self, "_pending", [])}.values())
        dirty = self.ctx.found.take_dirty()
        seen = {(d["type"], d["id"]) for d in pending}
        changed = [(d, f) for d, f in dirty if (d["type"], d["id"]) not in seen]
        self._pending = []
        if pending:
            self.write(pending)
        if changed:
            if self.patch is not None:
                self.patch(changed)
            else:
                self.write([d for d, _ in changed])

    def finish(self) -> None:
        """Write what fetchers changed on already-written objects after the last level."""
        self._flush()
