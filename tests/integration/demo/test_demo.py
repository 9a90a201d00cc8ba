"""`make demo` as a new user runs it: a simulated cloud scanned, the API up, and the inventory following
the cloud's changes through the listener. Everything it started is gone afterwards."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from app.store.embedded import EmbeddedStore, free_port

ROOT = Path(__file__).resolve().parents[3]


def test_demo_runs_everything_and_the_inventory_follows_the_cloud(tmp_path):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALIPSO_")}
    env["CALIPSO_HOME"] = str(home)
    try:
        res = subprocess.run([sys.executable, "-m", "app.cli.main", "demo", "--hosts", "2", "--churn", "2",
                              "--duration", "15", "--api-port", str(free_port())],
                             env=env, cwd=ROOT, capture_output=True, text=True, timeout=240)
    finally:
        EmbeddedStore(home).stop()
    out = res.stdout
    assert res.returncode == 0, res.stderr[-2000:]
    assert re.search(r"scan: +completed: \d+ objects, \d+ links, \d+ cliques", out), out
    assert re.search(r"API: +http://127\.0\.0\.1:\d+ +\(user admin, password \S+\)", out), out
    assert "listener:" in out and "demo stopped" in out
    counts = re.findall(r"inventory: (\d+) objects \((\d+) instances, (\d+) ports\)", out)
    assert len(set(counts)) >= 2, f"the inventory did not follow the changing cloud: {counts}"
    leftovers = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True).stdout
    assert str(home) not in leftovers, "every process the demo started has stopped"
