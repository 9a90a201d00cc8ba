"""One scan of one environment: validate, check access, fetch the inventory, compute links and
cliques, then write only the difference and log it (scan.writer), report. Used by `calipso scan`, `scan/scan.py` and the scan manager alike."""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable

from bson import ObjectId

from app.changelog import ChangeLog
from app.clock import Clock, utcnow
from app.envconfig.repository import EnvironmentConfigs
from app.errors import CalipsoError, ValidationFailed
from app.inventory import Inventory, object_id
from app.links import Links
from app.messages import Messages
from app.paths import root as env_root
from app.store.store import Store
from app.topology import summary_store
from scan import cliques as clique_finder
from scan.access.calls import Caller, CallStats, Limiter, RemoteError
from scan.clients import Clients, build_clients
from scan.distributed.coordinator import Coordinator, Distribution
from scan.engine import Engine, Task
from scan.fetchers.base import ScanContext
from scan.fetchers.db.tunnel_endpoints import meshes as tunnel_meshes
from scan.fetchers.cli.ovs_show import mesh_kind
from scan.fetchers.host_commands import commands_by_host
from scan.hierarchy import Hierarchy
from scan.hierarchy import load as load_hierarchy
from scan.hooks import load_hooks
from scan.interpreter import coarse_switching, collector_paused
from scan.links import LINK_FINDERS
from scan.links.base import LinkIndex
from scan.links.implicit import FindImplicitLinks
from scan.memory import give_back, trimming
from scan.options import ScanOptions
from scan.outage import through_outage
from scan.partial import ScanFailed, start_tasks
from scan.progress import Progress
from scan.report import Note, add_inventory, add_totals, new_report, outcome
from scan.runner import PoolRunner, SerialRunner
from scan.tunnels import mark_missing
from scan.writer import ScanWriter

log = logging.getLogger("scan")


# what link finders and the clique builder read: loading only these keeps the links phase
# light on large clouds (no raw command output, Nova network info, agent configurations)
LINK_FIELDS = ("_id", "environment", "type", "id", "name", "object_name", "local_name", "original_name", "host",
               "host_type", "parent_id", "parent_type", "vnic_type", "instance_id", "vservice_id", "mac_address",
               "network", "ports", "pnic", "interfaces", "interfaces_names", "vconnector", "ip_address",
               "IP Address", "Link detected", "port_id", "binding:host_id", "network_id",
               "provider:segmentation_id", "role", "switch", "connected_to", "interface",
               "provider:network_type", "provider:physical_network", "physical_network", "uplinks", "patch_ports",
               "integration_port", "vedge", "underlay", "overlay_type", "tunnel_interface", "vedge_type")


EXIT_CODES = {"completed": 0, "failed": 1, "completed_with_errors": 3}


@dataclass
class ScanResult:
    status: str                  # completed | completed_with_errors | failed
    report: dict = field(default_factory=dict)
    reason: str = ""

    @property
    def exit_code(self) -> int:
        """0 complete, 1 failed, 3 completed with errors (documented in README: `calipso scan`)."""
        return EXIT_CODES.get(self.status, 1)


ClientsFactory = Callable[[dict, Caller], Clients]


class ScanController:
    def __init__(self, store: Store, options: ScanOptions, scan_id: ObjectId | None = None,
                 clients_factory: ClientsFactory = build_clients, hierarchy: Hierarchy | None = None,
                 clock: Clock = utcnow, progress: Progress | None = None, caller: Caller | None = None,
                 distribution: Distribution | None = None):
        self.store = store
        self.o = options
        self.scan_id = scan_id or ObjectId()
        self.sid = str(self.scan_id)
        self.clients_factory = clients_factory
        self.hierarchy = hierarchy or load_hierarchy()
        self.hooks = load_hooks()   # a misspelt hook fails here, before anything is scanned
        self.clock = clock
        self.progress = progress or Progress(tty=False)
        self.caller = caller or Caller(Limiter(options.max_calls, options.per_host), CallStats())
        self.messages = Messages(store, clock)
        self.coordinator = Coordinator(store, distribution or Distribution(), self.sid, options, self.caller.stats,
                                       self.progress) if options.distributed else None
        self.report: dict = new_report()

    # -- helpers --------------------------------------------------------------------------------
    def _message(self, text: str, level: str = "info", **kw) -> None:
        try:
            self.messages.add(text, level=level, environment=self.o.env, origin_id=self.sid,
                              origin_type=self.o.origin_type, **kw)
        except Exception as e:  # messages are a convenience; never fail a scan for them
            log.debug("could not write message: %s", e)

    def _note(self, note: Note) -> None:
        self._message(note.text, level=note.level, related_object=note.host,
                      related_object_type="host" if note.host is not None else None)

    def _timed(self, phase: str, fn):
        self.progress.phase(phase)
        started = time.perf_counter()
        try:
            return fn()
        finally:
            self.report["phases"][phase] = round(time.perf_counter() - started, 3)

    # -- the run --------------------------------------------------------------------------------
    def run(self) -> ScanResult:
        with collector_paused():
            return self._run()

    def _run(self) -> ScanResult:
        started = time.perf_counter()
        try:
            env = self._environment()
        except CalipsoError:
            raise  # unknown environment: the caller's mistake, exit code 2
        self._message(f"scan {self.sid} of {self.o.env} started ({self._mode()})")
        clients = None
        try:
            if self.coordinator is not None:
                self.report["distributed"] = self.coordinator.report
                self.coordinator.check()   # no worker: fail now, before anything is fetched
            needs_access = self.o.run_all or self.o.inventory_only or self.o.monitoring_setup_only
            clients = self.clients_factory(env, self.caller) if needs_access else Clients()
            if self.o.run_all or self.o.inventory_only:
                self._timed("access", lambda: self._preflight(clients))
            self.writer = ScanWriter(self.store, self.o.env, self.clock, clear=self.o.clear and not self.o.partial,
                                     previous_scan=env.get("last_scanned") if isinstance(env.get("last_scanned"),
                                                                                         datetime) else None)
            if self.o.run_all and not self.o.partial:
                self.writer.preload()
            if self.o.run_all or self.o.inventory_only:
                self._timed("inventory", lambda: self._inventory(env, clients))
                if clients.pool is not None:
                    # the other phases need no host: a connection per host (a thread each, here and on the
                    # master) would idle through them, and the outputs kept for the fetchers would idle in
                    # memory (tens of MB at 1,000 hosts); a post-scan hook reconnects and asks anew
                    clients.pool.close()
                if clients.cli is not None:
                    clients.cli.forget()
                give_back(collect=clients.pool is not None)   # the closed connections' cycles, outputs, level garbage
            if self.o.run_all or self.o.links_only:
                self._timed("links", lambda: self._links(env))
            if self.o.run_all or self.o.cliques_only:
                self._timed("cliques", lambda: self._cliques(env))
            if not self.o.monitoring_setup_only:
                self._timed("write", self._write)
            if (self.o.run_all and not self.o.partial) or self.o.monitoring_setup_only:
                self._post_scan(env, clients)
        except ScanFailed as e:
            return self._finish(ScanResult("failed", self.report, str(e)), started)
        except (RemoteError, CalipsoError) as e:
            return self._finish(ScanResult("failed", self.report, str(e)), started)
        except Exception as e:
            log.exception("scan of %s failed", self.o.env)
            return self._finish(ScanResult("failed", self.report,
                                           f"internal error: {type(e).__name__}: {str(e)[:300]}"), started)
        finally:
            if clients is not None:
                clients.close()
            if self.coordinator is not None:
                self.coordinator.close()
        errors = self.report.get("errors") or {}
        status = "completed_with_errors" if errors else "completed"
        if self.o.run_all and not self.o.partial:   # as the original: scanned, errors or not
            EnvironmentConfigs(self.store).set_fields(self.o.env, {"scanned": True, "last_scanned": self.clock()})
        return self._finish(ScanResult(status, self.report), started)

    def _mode(self) -> str:
        if self.o.monitoring_setup_only:
            return "monitoring setup only"
        if self.o.inventory_only:
            return "inventory only"
        if self.o.links_only:
            return "links only"
        if self.o.cliques_only:
            return "cliques only"
        return "partial" if self.o.partial else "full"

    def _finish(self, result: ScanResult, started: float) -> ScanResult:
        add_totals(self.report, self.caller.stats, time.perf_counter() - started)
        self.progress.close()
        note = outcome(self.report, self.sid, self.o.env, result.status, result.reason)
        self._message(note.text, level=note.level)
        return result

    def _environment(self) -> dict:
        envs = EnvironmentConfigs(self.store)
        env = envs.get(self.o.env)   # UnknownEnvironment lists the known ones
        try:
            envs.validate({k: v for k, v in env.items() if not k.startswith("_")})
        except ValidationFailed as e:
            raise ScanFailed(f"environment {self.o.env!r} fails validation, nothing was scanned: {e}") from None
        return env

    def _preflight(self, clients: Clients) -> None:
        """Fail at once, before anything is written, when the cloud's entry points refuse us."""
        try:
            if clients.api is not None:
                clients.api.token()
                if not clients.api.regions():
                    raise ScanFailed("the Keystone catalog lists no region")
            if clients.db is not None:
                clients.db.schemas()
            if clients.cli is not None:
                clients.cli.master_name()
        except RemoteError as e:
            raise ScanFailed(f"cannot scan {self.o.env}: {e}") from None

    def _post_scan(self, env: dict, clients: Clients) -> None:
        """The post-scan hooks (scan.hooks): each one's failures count as this scan's errors, by host."""
        env = EnvironmentConfigs(self.store).get(self.o.env)   # with the flags the scan just set
        for name, hook in self.hooks.items():
            started = time.perf_counter()
            try:
                result = hook(self.store, env, clients) or {}
            except Exception as e:
                log.exception("post-scan hook %s failed", name)
                result = {"errors_by_host": {"(cloud)": [f"{name}: {type(e).__name__}: {e}"]}}
            errors = result.pop("errors_by_host", {}) or {}
            if result or errors:   # a hook with nothing to do leaves no trace in the report
                self.report[name] = result
                self.report["phases"][name] = round(time.perf_counter() - started, 3)
            for host, msgs in errors.items():
                self.report["errors"].setdefault(host, []).extend(msgs)
                self._message(f"{host}: {name}: {msgs[0]}", level="error",
                              related_object=host if not host.startswith("(") else None,
                              related_object_type="host" if not host.startswith("(") else None)

    # -- inventory ------------------------------------------------------------------------------
    def _inventory(self, env: dict, clients: Clients) -> ScanContext:
        """Fetch everything; nothing is written until the write phase."""
        runner = SerialRunner() if self.o.serial else PoolRunner(workers=max(4, self.o.max_calls),
                                                                 nested_workers=max(4, self.o.max_calls))
        ctx = ScanContext(env=env, api=clients.api, db=clients.db, cli=clients.cli, aci=clients.aci,
                          parallel_map=runner.nested, hosts_elsewhere=self.coordinator is not None)
        engine = Engine(ctx, self.hierarchy, runner, lambda docs: None, progress=self.progress, after_level=give_back)
        if clients.cli is not None and not (self.o.partial or self.coordinator):   # partial: a few hosts, a few things
            clients.cli.host_commands = commands_by_host(env, lambda host: mesh_kind(ctx, host) is not None)
        tasks = start_tasks(self.o, Inventory(self.store), ctx, self.hierarchy) if self.o.partial else None
        try:
            with coarse_switching(), trimming():
                self._walk(engine, tasks)
                engine.finish()
        finally:
            runner.close()
        ssh = None if clients.pool is None else clients.pool.opened + (
            self.coordinator.ssh_connections if self.coordinator is not None else 0)
        for note in add_inventory(self.report, engine.placed, ctx, self.sid, ssh):
            self._note(note)
        self._failed_paths = engine.failed_paths
        docs = []
        for key in engine.placed:
            d = ctx.found.by_key.get(key)
            if d is not None and d.get("create_object") is not False:
                d["_id"] = object_id(self.o.env, d["type"], d["id"])
                docs.append(d)
        self._found_docs = docs
        meshes = tunnel_meshes(ctx, docs)
        self.writer.plan_meshes(meshes)   # the OTEPs' `tunnels` are read against the mesh they were made from
        if not self.o.partial:   # a partial scan sees too few OTEPs to say which tunnels are missing
            self.report["tunnels_missing"] = mark_missing(docs, meshes)
            self.writer.plan_retirement({d["_id"] for d in docs}, engine.failed_paths)
        return ctx

    def _walk(self, engine: Engine, tasks: list[Task] | None) -> None:
        level = tasks if tasks is not None else [Task("ScanEnvironment", env_root(self.o.env))]
        while level:
            if self.coordinator is not None:
                level = self.coordinator.divert(level, engine)   # the hosts' subtrees go to the workers
            level = engine._level(level)
            hosts = engine.ctx.found.of_type("host")
            pending = {t.parent.get("host") or (t.parent["id"] if t.parent.get("type") == "host" else None)
                       for t in level} | (self.coordinator.hosts_out() if self.coordinator is not None else set())
            self.progress.set_errors(engine.ctx.errors.count())
            self.progress.hosts(len([h for h in hosts if h["id"] not in pending]), len(hosts))
        if self.coordinator is not None:
            self.coordinator.gather(engine)

    # -- links ----------------------------------------------------------------------------------
    def _live_inventory(self, fields: list[str] | None = None) -> list[dict]:
        return Inventory(self.store).live(self.o.env, fields)

    def _link_fields(self) -> list[str]:
        constraints = {c for d in self.store["clique_constraints"].find({}) for c in d.get("constraints") or []}
        return sorted(set(LINK_FIELDS) | constraints)

    def _picture(self) -> tuple[list[dict], list[dict]]:
        """(objects links and cliques are computed from, the stored ones among them): what this
        run found, plus stored live objects it keeps (a full scan: where it could not look;
        a partial scan: everything else)."""
        found = getattr(self, "_found_docs", None)
        if found is None:
            docs = self._live_inventory(self._link_fields())
            return docs, docs
        ids = {d["_id"] for d in found}
        if self.o.partial:
            kept = [d for d in self._live_inventory(self._link_fields()) if d["_id"] not in ids]
        else:
            kept = Inventory(self.store).by_object_ids(self.writer.kept(ids))
        return found + kept, kept

    def _links(self, env: dict) -> None:
        docs, kept = self._picture()
        self._docs = docs   # the cliques phase of the same run reuses them (with the links' annotations)
        before = {d["_id"]: dict(d) for d in kept}
        idx = LinkIndex(env, docs)
        for finder in LINK_FINDERS:
            finder().find(idx)
        if self.o.implicit_links:
            constraints = sorted({c for d in self.store["clique_constraints"].find({}) for c in d.get("constraints") or []})
            FindImplicitLinks(constraints or ["network"]).find(idx)
        unique = {}
        for l in idx.links:
            unique[(l["link_type"], l["source_id"], l["target_id"])] = l
        counts: dict[str, int] = {}
        for l in unique.values():
            counts[l["link_type"]] = counts.get(l["link_type"], 0) + 1
        self.report["links"] = dict(sorted(counts.items()))
        found = getattr(self, "_found_docs", None)
        if found is not None:
            self.writer.plan_objects(found)   # after the finders' annotations, which are part of the content
        annotated = [(d, {f: (before[d["_id"]].get(f), v) for f, v in d.items() if before[d["_id"]].get(f) != v})
                     for d in idx.changed.values() if d.get("_id") in before]
        self.writer.plan_patches(annotated)
        self._links_made = list(unique.values())
        protected = {d["_id"] for d in kept} if found is not None else set()
        self.writer.plan_links(self._links_made, protected, retire=not self.o.partial)

    # -- cliques --------------------------------------------------------------------------------
    def _cliques(self, env: dict) -> None:
        docs = getattr(self, "_docs", None)
        if docs is None:
            docs, _ = self._picture()
        made = getattr(self, "_links_made", None)
        if made is not None:
            stored = self.writer.stored_links()
            retired = set(self.writer.link_stale) | set(self.writer.link_gone) | {l["_id"] for l in made}
            links = self.writer.as_stored(made) + Links(self.store).by_ids(
                [o for o, m in stored.items() if o not in retired and not m.get("stale_since")])
        else:
            links = Links(self.store).live(self.o.env)
        plan = clique_finder.plan_for(self.store, env, docs)
        scope = None
        if made is not None and self.o.run_all and not self.o.partial:   # a full rescan: near what changed only
            scope = self.writer.clique_scope(plan.key(self.o.max_clique_nodes))
        sink = self.writer.clique_sink(links, retire=not self.o.partial, scope=scope)
        counts = clique_finder.find_cliques(self.store, env, docs, links, sink, self.o.max_clique_nodes, plan, scope,
                                            self.writer.link_copies)
        self.writer.cliques_built()
        for focal_type, n in self.writer.cliques_kept().items():
            counts[focal_type] = counts.get(focal_type, 0) + n
        self.report["cliques"] = dict(sorted(counts.items()))

    # -- write ----------------------------------------------------------------------------------
    def _write(self) -> None:
        """Apply the whole difference at once, then record it in the change log."""
        if getattr(self, "_found_docs", None) is not None and self.writer.objects_cmp is None:
            self.writer.plan_objects(self._found_docs)   # inventory only: no link finder ran
        changes, writes = through_outage(lambda: self.writer.apply(self.clock()), self.store)   # idempotent
        self.report["store_writes"] = writes
        self.report["changes"] = changes.counts()
        self.report["retired"] = self.writer.counts()
        log_ = ChangeLog(self.store, self.clock)
        log_.record(self.o.env, changes, self._mode() + " scan", scan_id=self.sid, paths=self.writer.paths(changes),
                    checkpoint=not self.o.partial)
        if not self.o.partial:
            log_.prune(self.o.env)
        # large cliques keep a summary, so they open as host summaries at once (app.topology.summary_store)
        summary_store.refresh(self.store, self.o.env, self.writer.written_cliques(),
                              known=self.writer.just_written(summary_store.STORE_ABOVE))
