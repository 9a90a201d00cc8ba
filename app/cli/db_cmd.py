"""`calipso db init`: create indexes and load the seed collections (idempotent)."""

from __future__ import annotations

from app.cli.groups import admin_group
from app.store.init import init_db
from app.store.opening import open_store

HELP = "initialise the store: indexes and seed collections (safe to repeat)"


def add_parser(sub, common) -> None:
    actions = admin_group(sub, common, "db", HELP)
    i = actions.add_parser("init", parents=[common], help=HELP)
    i.set_defaults(run=init)


def init(args) -> int:
    store = open_store(args.mongo_config, init=False)
    counts = init_db(store)
    for name, n in counts.items():
        print(f"{name}: {n} seed documents")
    print(f"store initialised ({store.location.source})")
    return 0
