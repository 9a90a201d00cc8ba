"""`calipso scan-manager`: runs requested and scheduled scans and answers connection tests."""

from __future__ import annotations

import threading
from datetime import timedelta

from app.stopping import stop_on_signals
from app.store.opening import open_store
from scan.manager import ScanManager

HELP = "run requested and scheduled scans, answer connection tests"


def add_parser(sub, common) -> None:
    p = sub.add_parser("scan-manager", parents=[common], help=HELP, description=HELP)
    p.add_argument("-i", "--interval", type=float, default=1.0, help="poll interval in seconds (default 1, minimum 0.1)")
    p.add_argument("--lease", type=float, default=60.0, help="seconds a claimed scan stays ours without renewal")
    p.add_argument("--once", action="store_true", help="one round of work, then exit (for cron and tests)")
    p.add_argument("--max-calls", type=int, default=32, help="remote calls in flight per scan")
    p.add_argument("--per-host", type=int, default=4, help="remote calls in flight per host")
    p.add_argument("--broker", default=None, metavar="URL",
                   help="where scan requests with \"distributed\": true find their workers (default $CALIPSO_BROKER_URL, "
                        "else amqp://guest:guest@127.0.0.1:5672//)")
    p.add_argument("--work-queue", default=None, metavar="NAME",
                   help="the queue scan workers consume (default $CALIPSO_WORK_QUEUE, else calipso-scan-work)")
    p.set_defaults(run=run)


def run(args) -> int:
    from scan.cli import distribution
    from scan.controller import ScanController

    store = open_store(args.mongo_config)
    workers = distribution(args)
    manager = ScanManager(store, lease=timedelta(seconds=max(1.0, args.lease)),
                          scan_defaults={"max_calls": args.max_calls, "per_host": args.per_host},
                          run_scan=lambda s, options, scan_id: ScanController(
                              s, options, scan_id=scan_id,
                              distribution=workers if options.distributed else None).run())
    if args.once:
        manager.tick()
        return 0
    stop = threading.Event()
    stop_on_signals(stop, name="scan manager")
    manager.loop(stop, max(0.1, args.interval))
    return 0
