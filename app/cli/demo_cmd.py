"""`calipso demo`: everything on this machine, with the embedded store.

For now it starts and initialises the store and says what runs; the simulated cloud, scan,
API and listener join it as they land.
"""

from __future__ import annotations

import json

from app.envconfig.repository import EnvironmentConfigs
from app.store.store import open_store, redact_uri

HELP = "run Calipso on this machine with the embedded store (and what else is built so far)"


def add_parser(sub, common) -> None:
    p = sub.add_parser("demo", parents=[common], help=HELP, description=HELP)
    p.set_defaults(run=run)


def run(args) -> int:
    store = open_store(args.mongo_config)
    counts = {name: store[name].estimated_document_count()
              for name in ("constants", "link_types", "clique_types", "supported_environments")}
    envs = EnvironmentConfigs(store).names()
    print("Calipso demo")
    print(f"  store: {redact_uri(store.location.uri)} ({store.location.source}), initialised")
    print(f"  seed collections: {json.dumps(counts)}")
    print(f"  environments: {', '.join(envs) if envs else 'none yet'}")
    print("  running services: store")
    print("  try: .venv/bin/calipso env add FILE, .venv/bin/calipso env list, .venv/bin/calipso store status")
    return 0
