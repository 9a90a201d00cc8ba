"""`calipso listen`: follow OpenStack notifications for every environment with `listen: true`."""

from __future__ import annotations

import logging
import threading

from app.stopping import stop_on_signals
from app.store.opening import open_store

HELP = "follow OpenStack notifications: one AMQP consumer per environment with listen: true"


def add_parser(sub, common) -> None:
    p = sub.add_parser("listen", parents=[common], help=HELP, description=HELP)
    p.add_argument("-i", "--interval", type=float, default=2.0,
                   help="seconds between two reads of the environment configs (default 2, minimum 0.1)")
    p.add_argument("-y", "--inventory", default="inventory", help="inventory collection name (default inventory)")
    p.set_defaults(run=run, default_loglevel="INFO")


def run(args) -> int:
    from listen.manager import Manager

    store = open_store(args.mongo_config)
    if args.inventory != "inventory":
        store = store.with_inventory(args.inventory)
    stop = threading.Event()
    stop_on_signals(stop, name="listener")
    manager = Manager(store, interval=max(0.1, args.interval))
    logging.getLogger(__name__).info("calipso listen started")
    manager.run(stop)
    return 0
