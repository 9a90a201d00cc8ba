"""The store's differential suite, longer than in `make test`: generated documents and operations against the
embedded store (over the wire) and mongomock, with the outcome of every case (tests/integration/store/
differential.py). CALIPSO_BENCH_DIFF_EXAMPLES sets the examples (default 800, about 40,000 cases);
CALIPSO_DIFF_SEED draws other examples than the derandomized ones.
"""

from __future__ import annotations

import itertools
import os
import tempfile
import time
from pathlib import Path

from hypothesis import HealthCheck, given, seed, settings
from pymongo import MongoClient

from app.store.embedded import EmbeddedStore
from tests.integration.store.differential import Outcomes, examples, run_example


def run() -> None:
    count = int(os.environ.get("CALIPSO_BENCH_DIFF_EXAMPLES", "800"))
    chosen = os.environ.get("CALIPSO_DIFF_SEED")
    outcomes = Outcomes()
    names = itertools.count()
    with tempfile.TemporaryDirectory() as home:
        embedded = EmbeddedStore(Path(home))
        client = MongoClient(embedded.ensure_running(), tz_aware=True)
        try:
            db = client["diffbench"]

            @settings(max_examples=count, derandomize=chosen is None, database=None, deadline=None,
                      suppress_health_check=list(HealthCheck))
            @given(examples())
            def one(example):
                docs, cases, indexed = example
                run_example(db, f"d{next(names)}", docs, cases, outcomes, indexed)

            if chosen is not None:
                one = seed(int(chosen))(one)
            started = time.perf_counter()
            one()
            wall = time.perf_counter() - started
        finally:
            client.close()
            embedded.stop()
    rows = [("examples", str(count)), ("cases", str(outcomes.total()))]
    rows += [(f"  {k}", str(v)) for k, v in sorted(outcomes.counts.items())]
    rows += [(f"  refused: {k}", str(v)) for k, v in sorted(outcomes.refusals.items())]
    rows += [("disagreements (goal 0)", str(len(outcomes.disagreements))),
             ("seed", chosen or "derandomized"),
             ("wall time", f"{wall:.0f} s, load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs")]
    width = max(len(r[0]) for r in rows)
    print(f"{'differential suite':{width}}  value")
    for name, value in rows:
        print(f"{name:{width}}  {value}")
    for text in outcomes.disagreements[:3]:
        print("\n" + text[:2000])
