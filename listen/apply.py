"""Carrying out Plans: partial rescans with the scanner's own fetchers, then links and cliques.

One batch of plans (one or many events) is applied as:
1. Neutron objects (networks, ports) rescanned region by region when a plan asks for it;
2. the hosts the event touches (its anchors' ports, before and after) rescanned for what events
   change there: vServices and their vNICs, instances and their vNICs, vConnectors, vEdges;
3. what those rescans no longer see, inside their scope only, is deleted at once with its
   subtree, its links and its cliques (no stale-then-remove: the event says it is gone);
4. every link finder runs on the environment's inventory as it now is (in memory: the store's
   objects plus what the rescans found), so their annotations are part of the comparison;
5. objects and links are compared with the store (content hashes, app.diffing): only the
   difference is written, and recorded as one entry of the change log (app.changelog);
6. cliques are rebuilt only for the focal points whose clique touches a changed object or link.
The scanner's engine and fetchers do the fetching, so what is stored equals what a full scan stores.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from bson import ObjectId

from app.changelog import ChangeLog
from app.clock import Clock, utcnow
from app.cliques import Cliques, clique_key
from app.diffing import Change, Changes, compare, field_changes
from app.inventory import Inventory, object_id
from app.links import Links, link_id
from app.store.keys import stable_id
from app.store.store import Store
from app.topology.summary_store import refresh as refresh_summaries
from scan.access.calls import Caller, CallStats, Limiter
from scan.cliques import DEFAULT_MAX_NODES, CliquePlan, LinkGraph, plan_clique
from scan.engine import Engine, Task
from scan.fetchers.base import ScanContext
from scan.hierarchy import Hierarchy, load as load_hierarchy
from scan.links import LINK_FINDERS
from scan.links.base import LinkIndex
from scan.retire import _under
from scan.runner import PoolRunner, SerialRunner
from listen import floating
from scan.tunnels import settle as settle_tunnels
from listen.clients import ClientsFactory, KeptClients
from listen.plan import Plan

log = logging.getLogger(__name__)

#: Neutron objects rescanned at region level, and the folders that hold them
REGION_TYPES = ("network", "port")
REGION_SCOPE = {"network", "port", "networks_folder", "ports_folder", "network_services_folder"}
#: what events change on a host: entries of ScanHost rescanned, and the folders (scopes) they fill
HOST_ENTRIES = {"vservices": ("vservices_folder", "vservice", "vnic"), "instances": ("instances_folder",),
                "vconnectors": ("vconnectors_folder",), "vedges": ("vedges_folder",)}
HOST_SCOPES = tuple(HOST_ENTRIES)
@dataclass
class Applied:
    written: int = 0
    deleted: int = 0
    links_written: int = 0
    links_deleted: int = 0
    cliques_written: int = 0
    cliques_deleted: int = 0
    hosts: list[str] = field(default_factory=list)
    errors: dict = field(default_factory=dict)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class ApplyError(Exception):
    """The batch could not be applied (a remote call failed where the scope could not be protected)."""


class Applier:
    def __init__(self, store: Store, env: dict, clients_factory: ClientsFactory | None = None,
                 hierarchy: Hierarchy | None = None, clock: Clock = utcnow, serial: bool = False,
                 max_calls: int = 16, per_host: int = 4, max_clique_nodes: int = DEFAULT_MAX_NODES):
        self.store = store
        self.env = env
        self.name = env["name"]
        self.clients = clients_factory if clients_factory is not None else KeptClients()
        self.hierarchy = hierarchy or load_hierarchy()
        self.clock = clock
        self.runner = SerialRunner() if serial else PoolRunner(workers=max(4, max_calls), nested_workers=max(4, max_calls))
        self.caller = Caller(Limiter(max_calls, per_host), CallStats())
        self.max_clique_nodes = max_clique_nodes
        self.inventory = Inventory(store, clock)
        self.links = Links(store, clock)
        self.cliques = Cliques(store, clock)
        self.changelog = ChangeLog(store, clock)

    def close(self) -> None:
        self.runner.close()
        if hasattr(self.clients, "close"):
            self.clients.close()

    # -- the store as it is ---------------------------------------------------------------------
    def _live(self) -> list[dict]:
        return self.inventory.live(self.name)

    # -- the batch ------------------------------------------------------------------------------
    def apply(self, plans: list[Plan]) -> Applied:
        result = Applied()
        active = [p for p in plans if not p.skip]
        if not active:
            return result
        merged = Plan("batch", "", "", host_scopes=(), hosts_once_up=True)
        for p in active:
            merged.merge(p)
        before_docs = self._live()
        before = {(d["type"], d["id"]): d for d in before_docs}
        clients = self.clients(self.env, self.caller)
        written: dict[tuple[str, str], dict] = {}
        contexts: list[ScanContext] = []

        def write(docs: list[dict]) -> None:   # kept in memory: the store is written once, at the end
            for d in docs:
                if d.get("create_object") is not False:
                    written[(d["type"], d["id"])] = d

        def context(skip) -> ScanContext:
            """What a full scan would have found by now: the store minus what is being rescanned
            (so folders and paths are rebuilt, not reused), plus what this batch found."""
            c = ScanContext(env=self.env, api=clients.api, db=clients.db, cli=clients.cli, aci=clients.aci,
                            parallel_map=self.runner.nested)
            for d in before_docs:
                if not skip(d) and (d["type"], d["id"]) not in written:
                    c.found.add({k: v for k, v in d.items() if k != "_id"})
            for d in written.values():
                c.found.add(dict(d))
            contexts.append(c)
            return c

        regions = [d for d in before_docs if d["type"] == "region"]
        region_failed = False
        failed: list[str] = []
        errors: dict = {}
        if merged.region and regions:
            ctx = context(lambda d: d["type"] in REGION_SCOPE)
            engine = Engine(ctx, self.hierarchy, self.runner, write)
            engine.run([Task("ScanRegion", _plain(r), only_type=t) for r in regions for t in REGION_TYPES])
            engine.finish()
            failed += engine.failed_paths
            errors.update(ctx.errors.as_dict())
            region_failed = any(fp in {r["id_path"] for r in regions} for fp in engine.failed_paths)
        hosts = self._hosts(merged, before, written)
        if merged.hosts_once_up and not all(_up(written.get(("port", p)) or before.get(("port", p)))
                                            for p in merged.ports):
            hosts = set()   # the agents have not brought the event's ports up: the hosts do not show them yet
        result.hosts = sorted(hosts)
        host_docs = [d for d in (before.get(("host", h)) for h in sorted(hosts)) if d]
        scopes = [s for s in HOST_SCOPES if merged.host_scopes is None or s in merged.host_scopes]
        prefixes = [f"{h['id_path']}/{h['id']}-{s}" for h in host_docs for s in scopes]
        if host_docs and scopes:
            ctx = context(lambda d: _under(d["id_path"], prefixes))
            engine = Engine(ctx, self.hierarchy, self.runner, write)
            engine.run([Task("ScanHost", _plain(h), only_type=t) for h in host_docs for s in scopes
                        for t in HOST_ENTRIES[s]])
            engine.finish()
            failed += engine.failed_paths
            errors.update(ctx.errors.as_dict())
        result.errors = errors
        # -- what the rescans no longer see, in their scope only ----------------------------------
        keep_paths = set()
        for d in written.values():
            parts = d["id_path"].split("/")
            keep_paths.update("/".join(parts[:i]) for i in range(2, len(parts) + 1))
        gone: list[dict] = []
        for key, d in before.items():
            if key in written or d["id_path"] in keep_paths or _under(d["id_path"], failed):
                continue
            in_region = merged.region and regions and not region_failed and d["type"] in REGION_SCOPE
            if in_region or _under(d["id_path"], prefixes):
                gone.append(d)
        gone_paths = [d["id_path"] for d in gone]
        gone_keys = {(d["type"], d["id"]) for d in gone}
        gone += [d for d in before_docs if (d["type"], d["id"]) not in gone_keys and _under(d["id_path"], gone_paths)]
        gone_keys = {(d["type"], d["id"]) for d in gone}
        # -- compare, then write only the difference ------------------------------------------------
        changes = Changes()
        seen = self.clock()
        picture = [d for k, d in before.items() if k not in gone_keys and k not in written]
        for d in written.values():
            d["_id"] = object_id(self.name, d["type"], d["id"])
        settle_tunnels(self.store, self.name, contexts, picture + list(written.values()), seen)
        pristine = {d["_id"]: dict(d) for d in picture}
        idx = LinkIndex(self.env, picture + list(written.values()))
        for finder in LINK_FINDERS:
            finder().find(idx)
        found = {d["_id"]: d for d in written.values()}
        annotated = [d for d in idx.changed.values() if d["_id"] in pristine]
        stored = {d["_id"]: d for d in before_docs}
        cmp = compare(found, {o: {"_hash": d.get("_hash")} for o, d in stored.items()},
                      lambda oids: [stored[o] for o in oids if o in stored])
        added, updated = cmp.writes()
        result.written = self.inventory.write(added, updated, seen)
        patches = [(d, field_changes(pristine[d["_id"]], d)) for d in annotated]
        self.inventory.patch([(d["_id"], {f: a for f, (_, a) in fl.items()}) for d, fl in patches])
        changes.objects += cmp.log() + [Change("changed", d, fl) for d, fl in patches if fl]
        gone_ids = [d["_id"] for d in gone]
        touched: set[ObjectId] = set(gone_ids) | {d["_id"] for d, _ in patches}
        for d in cmp.added + [d for d, _ in cmp.changed + cmp.revived]:
            touched.add(d["_id"])
        # -- status changes the scanner does not read (power, suspend) ----------------------------
        for p in active:
            doc = before.get(("instance", p.object_id))
            if p.instance_status and doc and self.inventory.set_fields(self.name, "instance", p.object_id,
                                                                       p.instance_status):
                fields = {f: (doc.get(f), v) for f, v in p.instance_status.items() if doc.get(f) != v}
                if fields:
                    changes.objects.append(Change("changed", {**doc, **p.instance_status}, fields))
                touched.add(doc["_id"])
        # -- links: everything the finders found, against the store --------------------------------
        touched |= self._links(idx, result, changes, gone_ids, seen)
        if gone_ids:
            self.cliques.delete_for_focal_points(self.name, gone_ids)
            result.deleted = self.inventory.delete(gone_ids)
            changes.objects += [Change("removed", d) for d in gone]
        cliques = self._cliques(touched, result)
        paths = {d["_id"]: d.get("id_path") for d in before_docs} | {d["_id"]: d["id_path"] for d in written.values()}
        self.changelog.record(self.name, changes, "listener", paths=paths)
        refresh_summaries(self.store, self.name, cliques)   # large cliques' summaries (app.topology.summary_store)
        return result

    def _hosts(self, plan: Plan, before: dict, written: dict) -> set[str]:
        """The hosts to rescan: named ones, plus every host with a port of the event's anchors."""
        docs = {**before, **written}
        host_ids = {i for (t, i) in docs if t == "host"}
        aliases = {}
        for (t, i), d in docs.items():
            if t == "host":
                for name in (d.get("hypervisor_hostname"), d.get("host"), d.get("name")):
                    if name:
                        aliases.setdefault(name, i)
        ports = [d for (t, _), d in docs.items() if t == "port"]
        nets = set(plan.networks)
        for (t, _), d in docs.items():
            if t == "network" and set(d.get("subnet_ids") or []) & plan.subnets:
                nets.add(d["id"])
        for p in ports:
            if p["id"] in plan.ports or p.get("device_id") in plan.devices:
                if p.get("network_id"):
                    nets.add(p["network_id"])
        hosts = set()
        for h in plan.hosts:
            hosts.add(h if h in host_ids else aliases.get(h, ""))
        for p in ports:
            if p.get("network_id") in nets or p["id"] in plan.ports or p.get("device_id") in plan.devices:
                hosts.add(p.get("binding:host_id") or "")
        if plan.floating:   # who shows a floating IP now: after a disassociation the event names no one
            hosts |= floating.holders(before.values(), plan.floating)
        for (t, i), d in before.items():
            if t == "instance" and i in plan.devices and d.get("host"):
                hosts.add(d["host"])
            if t == "vservice" and any(i.endswith(f"-qdhcp-{n}") for n in nets) and d.get("host"):
                hosts.add(d["host"])
            if t == "vservice" and any(i.endswith(f"-qrouter-{r}") for r in plan.devices) and d.get("host"):
                hosts.add(d["host"])
        return {h if h in host_ids else aliases.get(h, "") for h in hosts} - {""}

    def _links(self, idx: LinkIndex, result: Applied, changes: Changes, gone: list[ObjectId],
               seen) -> set[ObjectId]:
        """Write the links that differ from the store, delete those no longer found (and those of
        deleted objects). Returns the objects at either end of a changed link."""
        wanted = {}
        for l in idx.links:
            l["_id"] = link_id(self.name, l["link_type"], l["source_id"], l["target_id"])
            wanted[l["_id"]] = l
        existing = {l["_id"]: l for l in self.links.for_env(self.name)}
        cmp = compare(wanted, {o: {"_hash": l.get("_hash")} for o, l in existing.items()},
                      lambda oids: [existing[o] for o in oids if o in existing])
        added, updated = cmp.writes()
        result.links_written = self.links.write(added, updated, seen)
        removed = [l for o, l in existing.items() if o not in wanted]
        if removed:
            result.links_deleted = self.links.delete([l["_id"] for l in removed])
        changes.links += cmp.log() + [Change("removed", l) for l in removed if not l.get("stale_since")]
        touched: set[ObjectId] = set()
        for l in cmp.added + [l for l, _ in cmp.changed + cmp.revived] + removed:
            touched |= {l["source"], l["target"]}
        return touched

    def _cliques(self, touched: set[ObjectId], result: Applied) -> list[tuple[ObjectId, int]]:
        """Rebuild the cliques of focal points near what changed; drop those that no longer have one.
        Returns (_id, object count) of the cliques built."""
        if not touched:
            return []
        plan = CliquePlan.from_store(self.store, self.env)
        types = plan.focal_types()
        if not types:
            return []
        focal = set(touched) | self.cliques.focal_points_near(self.name, touched)
        docs = [d for d in self.inventory.by_object_ids(focal)
                if d.get("type") in types and not d.get("stale_since")]
        if not docs:
            return []
        links = self.links.live(self.name)
        graphs: dict[bool, LinkGraph] = {}
        built, with_clique, without = [], [], []
        seen = self.clock()
        for doc in docs:
            clique = plan_clique(plan, doc, graphs, links, self.max_clique_nodes)
            if clique is None:
                without.append(doc["_id"])
                continue
            built.append(clique)
            with_clique.append(doc["_id"])
        if built:
            result.cliques_written = self.cliques.upsert_many(built, seen, only_changed=True)
            self.store["inventory"].update_many({"_id": {"$in": with_clique}, "clique": {"$ne": True}},
                                                {"$set": {"clique": True}})
        if without:
            result.cliques_deleted = self.cliques.delete_for_focal_points(self.name, without)
        return [(stable_id("cliques", clique_key(self.name, c["focal_point"])), len(c.get("nodes") or ())) for c in built]


def _plain(doc: dict) -> dict:
    return {k: v for k, v in doc.items() if k != "_id"}


def _up(port: dict | None) -> bool:
    """A port its agents have brought up: bound to a host and ACTIVE (the L2 agent wired its device)."""
    return bool(port and port.get("binding:host_id") and str(port.get("status") or "").upper() == "ACTIVE")
