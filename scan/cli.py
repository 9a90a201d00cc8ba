"""`calipso scan -e ENV [original scan.py options]`: one scan, with a progress display."""

from __future__ import annotations

import logging
import os
import socket
import sys
from datetime import timedelta

from app.envconfig.repository import EnvironmentConfigs
from app.scans import Scans
from app.store.opening import open_store
from scan.controller import ScanController, ScanResult
from scan.distributed.broker import WorkQueue, broker_url, work_queue_name
from scan.distributed.coordinator import Distribution
from scan.lease import Heartbeat
from scan.options import add_scan_arguments, options_from_args
from scan.progress import Progress

HELP = "scan an environment: inventory, links and cliques"
LEASE = timedelta(seconds=60)
log = logging.getLogger("scan")


def add_parser(sub, common) -> None:
    p = sub.add_parser("scan", parents=[common], help=HELP, description=HELP)
    add_scan_arguments(p)
    p.set_defaults(run=run)


def run(args) -> int:
    store = open_store(getattr(args, "mongo_config", None), inventory=args.inventory)
    if not args.env:
        raise _no_env(EnvironmentConfigs(store).names())
    options = options_from_args(args)
    EnvironmentConfigs(store).get(args.env)   # unknown -> exit 2 with the known names
    scans = Scans(store)
    owner = f"cli:{socket.gethostname()}:{os.getpid()}"
    now = scans.clock()
    scan_id = scans.coll.insert_one({
        "environment": args.env, "status": "running", "log_level": args.loglevel.lower(), "clear": args.clear,
        "scan_only_inventory": args.inventory_only, "scan_only_links": args.links_only,
        "scan_only_cliques": args.cliques_only, "implicit_links": args.implicit_links,
        "inventory": args.inventory, "object_id": args.id or None, "origin": "manual scan",
        "submit_timestamp": now, "start_timestamp": now, "owner": owner, "lease_until": now + LEASE,
        **({"distributed": True} if options.distributed else {})}).inserted_id
    progress = Progress()
    try:
        with Heartbeat(scans, scan_id, owner, LEASE):
            result = ScanController(store, options, scan_id=scan_id, progress=progress,
                                    distribution=distribution(args) if options.distributed else None).run()
    except BaseException as e:
        scans.finish(scan_id, "failed", error=f"{type(e).__name__}: {e}")
        raise
    scans.finish(scan_id, result.status, report=result.report, **({"error": result.reason} if result.reason else {}))
    print_summary(result, args.env, sys.stdout)
    return result.exit_code


def distribution(args) -> Distribution:
    """Where a distributed scan finds its workers: --broker/--work-queue, else the environment's defaults."""
    return Distribution(WorkQueue(getattr(args, "broker", None) or broker_url(),
                                  getattr(args, "work_queue", None) or work_queue_name()))


def _no_env(known: list[str]):
    from app.errors import CalipsoError
    listed = ", ".join(known) if known else "none yet; add one with 'calipso env add FILE'"
    return CalipsoError(f"-e/--env is required (known environments: {listed})")


def print_summary(result: ScanResult, env: str, out) -> None:
    r = result.report
    if result.status == "failed":
        print(f"scan of {env} failed: {result.reason}", file=sys.stderr)
        return
    objects = sum((r.get("objects") or {}).values())
    print(f"scan of {env} {result.status.replace('_', ' ')} in {r.get('seconds', 0):.1f} s: {objects} objects, "
          f"{sum((r.get('links') or {}).values())} links, {sum((r.get('cliques') or {}).values())} cliques", file=out)
    writes = r.get("store_writes") or {}
    if writes:
        n = sum(writes.values())
        print(f"  written: {n} document{'s' if n != 1 else ''} "
              + ("(nothing changed)" if not n else "(" + ", ".join(f"{k} {v}" for k, v in writes.items()) + ")"),
              file=out)
    calls = r.get("remote_calls") or {}
    if calls:
        print("  remote calls: " + ", ".join(f"{src} {v['calls']} ({v['seconds']:.1f} s)" for src, v in calls.items()),
              file=out)
    layers = r.get("failed_layers") or {}
    if layers:
        print("  failed: " + ", ".join(f"{layer} ({n} error{'s' if n != 1 else ''})" for layer, n in layers.items())
              + f" -> exit code {result.exit_code}", file=out)
    for host, msgs in (r.get("errors") or {}).items():
        print(f"  errors on {host}:", file=out)
        for m in msgs[:10]:
            print(f"    - {m}", file=out)
        if len(msgs) > 10:
            print(f"    ... and {len(msgs) - 10} more", file=out)
