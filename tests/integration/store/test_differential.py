"""The differential suite, bounded for `make test`: generated documents and operations, embedded store (over
the wire) against mongomock, and against a real mongod when CALIPSO_TEST_MONGO_URI names one; no
disagreement allowed (tests/integration/store/differential.py).

Deterministic: hypothesis is derandomized, so every run draws the same examples; CALIPSO_DIFF_SEED draws
others (printed on failure), CALIPSO_DIFF_EXAMPLES sets how many (`make bench` runs more, in
tests/bench/store_diff_bench.py).
"""

from __future__ import annotations

import itertools
import os

import pytest
from hypothesis import HealthCheck, given, seed, settings
from pymongo import MongoClient

from tests.integration.store.conftest import MONGO_URI
from tests.integration.store.differential import Outcomes, examples, run_example

EXAMPLES = int(os.environ.get("CALIPSO_DIFF_EXAMPLES", "220"))
SEED = os.environ.get("CALIPSO_DIFF_SEED")
_names = itertools.count()


@pytest.fixture(params=["mongomock", "mongod"])
def oracle(request):
    """mongomock, or the real mongod of CALIPSO_TEST_MONGO_URI (skipped when it is not set)."""
    if request.param == "mongomock":
        yield None
        return
    if not MONGO_URI:
        pytest.skip("CALIPSO_TEST_MONGO_URI is not set: no real mongod to compare the embedded store with")
    client = MongoClient(MONGO_URI, tz_aware=True)
    try:
        yield client["calipso_differential"]
    finally:
        client.drop_database("calipso_differential")
        client.close()


def test_embedded_store_answers_as_mongomock_or_refuses(store, oracle):
    outcomes = Outcomes()

    @settings(max_examples=EXAMPLES, derandomize=SEED is None, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(examples())
    def one(example):
        docs, cases, indexed = example
        run_example(store.db, f"diff{next(_names)}", docs, cases, outcomes, indexed, oracle)

    if SEED is not None:
        one = seed(int(SEED))(one)
    one()
    print(f"differential suite: {outcomes.total()} cases, {dict(outcomes.counts)}; refusals {dict(outcomes.refusals)}; "
          f"seed {SEED or 'derandomized'}")
    assert not outcomes.disagreements, (f"{len(outcomes.disagreements)} disagreements (seed {SEED or 'derandomized'}),"
                                        " first ones:\n\n" + "\n\n".join(outcomes.disagreements[:5]))
    assert outcomes.total() >= EXAMPLES * 40     # 220 examples: over 10,000 cases
