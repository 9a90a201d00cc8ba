"""`make bench`: run every benchmark module listed here and print its table.

Each module has `run() -> None` that prints one or more tables. Add one line per module.
"""

from __future__ import annotations

import importlib
import sys
import time

BENCHES: list[str] = [
    "tests.bench.store_bench",
    "tests.bench.store_diff_bench",
    "tests.bench.scan_bench",
    "tests.bench.listen_bench",
    "tests.bench.monitoring_bench",
    "tests.bench.sim_bench",
    "tests.bench.sim_protocols_bench",
    "tests.bench.api_bench",
    "tests.bench.changelog_bench",
    "tests.bench.ui_graph_bench",
    "tests.bench.path_bench",
    "tests.bench.tunnel_read_bench",
    "tests.bench.hardening_bench",
    "tests.bench.ui_bench",
]


def main(argv: list[str]) -> int:
    selected = [b for b in BENCHES if not argv or any(a in b for a in argv)]
    for name in selected:
        print(f"\n=== {name} ===", flush=True)
        started = time.perf_counter()
        importlib.import_module(name).run()
        print(f"({time.perf_counter() - started:.1f} s)", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
