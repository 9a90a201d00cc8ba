"""`calipso scan-worker`: joins the pool that distributed scans (`calipso scan --distributed`) hand hosts to.

Start as many as wanted, on any machine that reaches the broker, the store and the cloud; each takes one
part of a scan at a time. SIGTERM stops it at once: the part it was doing goes back to the queue.
"""

from __future__ import annotations

import os
import socket
import threading
from urllib.parse import urlparse

from app.errors import CalipsoError
from app.stopping import stop_on_signals
from app.store.opening import open_store

HELP = "scan hosts for distributed scans (work from RabbitMQ, results to the store)"


def add_parser(sub, common) -> None:
    p = sub.add_parser("scan-worker", parents=[common], help=HELP, description=HELP)
    p.add_argument("--broker", default=None, metavar="URL",
                   help="the broker of scan work (default $CALIPSO_BROKER_URL, else amqp://guest:guest@127.0.0.1:5672//)")
    p.add_argument("--work-queue", default=None, metavar="NAME",
                   help="the queue to consume (default $CALIPSO_WORK_QUEUE, else calipso-scan-work)")
    p.add_argument("--name", default=None, help="this worker's name in scan reports (default HOST:PID)")
    p.add_argument("--parts", type=int, default=2, metavar="N",
                   help="parts of scans done at once (default 2: a part waits on the cloud more than it computes)")
    p.set_defaults(run=run)


def run(args) -> int:
    from scan.distributed.broker import WorkQueue, broker_url, work_queue_name
    from scan.distributed.chunk import do_work
    from scan.distributed.memos import ScanMemos
    from scan.distributed.worker import Worker
    from scan.hierarchy import load as load_hierarchy

    url = args.broker or broker_url()
    if args.parts < 1:
        raise CalipsoError(f"--parts must be at least 1, got {args.parts}")
    if urlparse(url).scheme not in ("amqp", "amqps", "pyamqp", "memory", "filesystem"):
        raise CalipsoError(f"--broker must be an amqp:// URL, got scheme {urlparse(url).scheme!r}")
    hierarchy = load_hierarchy()     # a broken table fails here, not on the first part
    store = open_store(args.mongo_config)
    name = args.name or f"{socket.gethostname()}:{os.getpid()}"
    memos = ScanMemos()
    worker = Worker(WorkQueue(url, args.work_queue or work_queue_name()),
                    lambda work: do_work(store, work, hierarchy, name, memos=memos), name, parts=args.parts,
                    idle=memos.sweep)
    stop = threading.Event()
    stop_on_signals(stop, name="scan worker")
    worker.run(stop)
    return 0
