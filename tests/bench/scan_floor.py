"""The CPU floor of a scan: the simplest parse of the same host outputs, plus hashing and BSON-encoding
every document the scan stored, in one process.

A sample of hosts is asked the scanner's own host commands (scan.fetchers.host_commands) through
the scanner's SSH access; their outputs are parsed the simplest way (lines split into words) and
the cost is scaled to every host. Every stored inventory document, link and clique is then hashed
(blake2b) and encoded (BSON). Run as `python -m tests.bench.scan_floor STORE_URI ENV` (a process of
its own, like each scan); prints one JSON line.
"""

from __future__ import annotations

import hashlib
import json
import sys
import time

SAMPLE = 12


def _parse(text: str) -> int:
    """The simplest parser: every line into its words."""
    return sum(len(line.split()) for line in text.splitlines())


def floor(store_uri: str, env_name: str) -> dict:
    import bson

    from app.envconfig.repository import EnvironmentConfigs
    from app.store.store import Store, StoreLocation
    from scan.access.calls import Caller, CallStats, Limiter
    from scan.clients import build_clients
    from scan.fetchers.host_commands import host_commands

    store = Store.connect(StoreLocation(store_uri, "bench", embedded=True))
    env = EnvironmentConfigs(store).get(env_name)
    hosts = sorted(d["id"] for d in store["inventory"].find({"environment": env_name, "type": "host"}, {"id": 1}))
    step = max(1, len(hosts) // SAMPLE)
    sample = hosts[::step][:SAMPLE]
    # the scanner asks a host without l2population whether its tunnels are the mesh, not for them all
    as_mesh = {d.get("host"): d.get("l2_population") is False
               for d in store["inventory"].find({"environment": env_name, "type": "otep"}, {"host": 1, "l2_population": 1})}
    clients = build_clients(env, Caller(Limiter(8, 4), CallStats()))
    outputs: list[str] = []
    try:
        for host in sample:
            for command in host_commands(env, as_mesh.get(host, False)):
                try:
                    outputs.append(clients.cli.run(host, command))
                except Exception:   # a command this host does not have: the scanner gets no output either
                    pass
    finally:
        clients.close()
    started = time.process_time()
    words = sum(_parse(text) for text in outputs)
    parse_s = (time.process_time() - started) * len(hosts) / max(1, len(sample))
    counts = {}
    encode_s = 0.0
    for coll in ("inventory", "links", "cliques"):
        found = list(store[coll].find({"environment": env_name}))    # read outside the timing
        started = time.process_time()
        for d in found:
            d.pop("_id", None)
            hashlib.blake2b(bson.encode(d), digest_size=16).hexdigest()
        encode_s += time.process_time() - started
        counts[coll] = len(found)
        del found
    docs, objects = sum(counts.values()), counts["inventory"]
    store.close()
    return {"parse_s": parse_s, "encode_s": encode_s, "documents": docs, "objects": objects,
            "bytes_sampled": sum(map(len, outputs)), "words_sampled": words, "hosts": len(hosts),
            "sampled": len(sample)}


if __name__ == "__main__":
    print(json.dumps(floor(sys.argv[1], sys.argv[2])))
