"""The differential suite, bounded for `make test`: generated documents and operations, embedded store (over
the wire) against mongomock; no disagreement allowed (tests/integration/store/differential.py).

Deterministic: hypothesis is derandomized, so every run draws the same examples; CALIPSO_DIFF_SEED draws
others (printed on failure), CALIPSO_DIFF_EXAMPLES sets how many (`make bench` runs more, in
tests/bench/store_diff_bench.py).
"""

from __future__ import annotations

import itertools
import os

from hypothesis import HealthCheck, given, seed, settings

from tests.integration.store.differential import Outcomes, examples, run_example

EXAMPLES = int(os.environ.get("CALIPSO_DIFF_EXAMPLES", "200"))
SEED = os.environ.get("CALIPSO_DIFF_SEED")
_names = itertools.count()


def test_embedded_store_answers_as_mongomock_or_refuses(store):
    outcomes = Outcomes()

    @settings(max_examples=EXAMPLES, derandomize=SEED is None, database=None, deadline=None,
              suppress_health_check=list(HealthCheck))
    @given(examples())
    def one(example):
        docs, cases, indexed = example
        run_example(store.db, f"diff{next(_names)}", docs, cases, outcomes, indexed)

    if SEED is not None:
        one = seed(int(SEED))(one)
    one()
    print(f"differential suite: {outcomes.total()} cases, {dict(outcomes.counts)}; refusals {dict(outcomes.refusals)}; "
          f"seed {SEED or 'derandomized'}")
    assert not outcomes.disagreements, (f"{len(outcomes.disagreements)} disagreements (seed {SEED or 'derandomized'}),"
                                        " first ones:\n\n" + "\n\n".join(outcomes.disagreements[:5]))
    assert outcomes.total() >= EXAMPLES * 40     # 200 examples: over 10,000 cases
