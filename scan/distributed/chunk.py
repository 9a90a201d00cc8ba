"""What a scan worker does with one message: scan a few hosts' subtrees and store what it found.

The hosts are walked by the scanner's own engine, hierarchy and fetchers, from the base the
coordinator stored (everything found above the hosts), with the environment's own clients and
limits: exactly the calls and the documents a local scan makes for those hosts.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass
from typing import Callable

from app.envconfig.repository import EnvironmentConfigs
from app.keyenc import encode
from app.store.store import Store
from scan.access.calls import Caller, CallStats, Limiter, RemoteError
from scan.clients import Clients, build_clients
from scan.distributed.memos import ScanMemos
from scan.distributed.workspace import Workspace, encode_docs
from scan.engine import Engine, Task
from scan.fetchers.api.hosts import ApiFetchHosts
from scan.fetchers.base import Memo, ScanContext
from scan.fetchers.cli.ovs_show import mesh_kind
from scan.fetchers.host_commands import commands_by_host
from scan.hierarchy import Hierarchy
from scan.interpreter import coarse_switching
from scan.memory import give_back, trimming
from scan.runner import PoolRunner, SerialRunner

log = logging.getLogger(__name__)

ClientsFactory = Callable[[dict, Caller], Clients]


class BadWork(ValueError):
    """A message that is not scan work this worker can do (dropped, with the reason logged)."""


@dataclass(frozen=True)
class Work:
    scan: str
    env: str
    chunk: int
    tasks: tuple[tuple[str, str], ...]      # (scanner, host id)
    inventory: str = "inventory"
    max_calls: int = 32
    per_host: int = 4
    serial: bool = False

    @classmethod
    def parse(cls, body) -> "Work":
        if not isinstance(body, dict) or body.get("v") != 1:
            raise BadWork(f"not a version 1 scan work message: {str(body)[:200]}")
        try:
            tasks = tuple((str(s), str(h)) for s, h in body["tasks"])
            return cls(scan=str(body["scan"]), env=str(body["env"]), chunk=int(body["chunk"]), tasks=tasks,
                       inventory=str(body.get("inventory") or "inventory"), max_calls=int(body["max_calls"]),
                       per_host=int(body["per_host"]), serial=bool(body.get("serial")))
        except (KeyError, TypeError, ValueError) as e:
            raise BadWork(f"scan work message without a valid {e}: {str(body)[:200]}") from None

    def body(self) -> dict:
        return {"v": 1, "scan": self.scan, "env": self.env, "chunk": self.chunk, "tasks": [list(t) for t in self.tasks],
                "inventory": self.inventory, "max_calls": self.max_calls, "per_host": self.per_host,
                "serial": self.serial}


def host_details(ctx: ScanContext, host: dict) -> None:
    """What the host fetcher asks the host itself (its OS), left to the worker that scans the host: its first
    call then brings the host's whole batch of commands (scan.fetchers.host_commands), as in a local scan."""
    if "OS" in host:
        return
    ApiFetchHosts._os(ctx, host)
    if "OS" in host:
        ctx.found.update(host, {"OS": host["OS"]})   # a base document changed: sent back as a patch


def do_work(store: Store, work: Work, hierarchy: Hierarchy, worker: str,
            clients_factory: ClientsFactory = build_clients, memos: ScanMemos | None = None) -> str:
    """Scan the work's hosts and store the result: 'stored', 'duplicate' (another worker's is in) or
    'gone' (the scan is over: its collection is gone). `memos`: the worker's reads of the cloud by scan,
    shared by the parts of one scan it does."""
    store = store if work.inventory == "inventory" else store.with_inventory(work.inventory)
    ws = Workspace(store, work.scan)
    meta = ws.meta()
    if meta is None:
        return "gone"
    if ws.done_marker(work.chunk) is not None:
        return "duplicate"
    started = time.perf_counter()
    base = ws.base(meta)
    read = time.perf_counter()
    memos = memos if memos is not None else ScanMemos()
    with memos.of_scan(work.scan) as cloud:
        payload = scan_hosts(store, work, base, hierarchy, clients_factory, cloud)
    scanned = time.perf_counter()
    if ws.meta() is None:
        return "gone"
    stored = ws.put_result(work.chunk, worker, payload)
    log.info("scan %s part %d: base read in %.1f s, hosts scanned in %.1f s, result stored in %.1f s",
             work.scan, work.chunk, read - started, scanned - read, time.perf_counter() - scanned)
    return "stored" if stored else "duplicate"


def scan_hosts(store: Store, work: Work, base: list[dict], hierarchy: Hierarchy,
               clients_factory: ClientsFactory = build_clients, cloud: Memo | None = None) -> dict:
    """The result of one chunk: the documents found under its hosts, the base documents they changed,
    the errors by host, where the scan could not look, and what the remote calls cost. `cloud`: the
    scan's reads of the whole cloud, shared with its other parts here (scan.fetchers.base.Memo)."""
    started = time.perf_counter()
    env = EnvironmentConfigs(store).get(work.env)
    caller = Caller(Limiter(work.max_calls, work.per_host), CallStats())
    clients = clients_factory(env, caller)
    runner = SerialRunner() if work.serial else PoolRunner(workers=max(4, work.max_calls),
                                                           nested_workers=max(4, work.max_calls))
    try:
        ctx = ScanContext(env=env, api=clients.api, db=clients.db, cli=clients.cli, aci=clients.aci,
                          memo=Memo(cloud=cloud), parallel_map=runner.nested)
        for d in base:
            ctx.found.add(d)
        tasks = []
        for scanner, host_id in work.tasks:
            host = ctx.found.get(host_id, "host")
            if host is None or scanner not in hierarchy.scanners:
                raise BadWork(f"scan {work.scan} chunk {work.chunk}: no host {host_id!r} or scanner {scanner!r}")
            tasks.append(Task(scanner, host))
        if clients.cli is not None:
            clients.cli.host_commands = commands_by_host(env, lambda host: mesh_kind(ctx, host) is not None)
            try:   # once, before the threads ask it together (as the local scan's access check does)
                clients.cli.master_name()
            except RemoteError as e:   # then every host of the part fails with it, by host, as in a local scan
                log.warning("scan %s part %d: %s", work.scan, work.chunk, e)
            ctx.parallel(lambda t: host_details(ctx, t.parent), tasks)
        changed: dict[tuple[str, str], set[str]] = {}

        def patch(pairs: list[tuple[dict, dict]]) -> None:
            for doc, fields in pairs:
                changed.setdefault((doc["type"], doc["id"]), set()).update(fields)

        engine = Engine(ctx, hierarchy, runner, lambda docs: None, patch=patch, after_level=give_back)
        with coarse_switching(), trimming():
            engine.run(tasks)
            engine.finish()
    finally:
        runner.close()
        clients.close()
    docs = [ctx.found.by_key[k] for k in engine.placed if k in ctx.found.by_key]
    patches = [{"type": t, "id": i, "fields": encode({f: ctx.found.by_key[(t, i)].get(f) for f in sorted(fields)})}
               for (t, i), fields in changed.items() if (t, i) not in engine.placed and (t, i) in ctx.found.by_key]
    return {"docs": encode_docs(docs), "patches": patches, "errors": ctx.errors.as_dict(),
            "failed_paths": list(engine.failed_paths), "calls": caller.stats.as_dict(),
            "ssh_connections": clients.pool.opened if clients.pool is not None else 0,
            "hosts": [h for _, h in work.tasks], "seconds": round(time.perf_counter() - started, 3)}
