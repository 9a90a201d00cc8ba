"""`python3 scan/scan.py` as the README writes it: with a python that has none of Calipso's libraries
(the one the project's .venv was made from), it still runs, through the project's .venv."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def test_scan_py_runs_with_a_bare_python3(tmp_path):
    bare = Path(sys.base_prefix) / "bin" / "python3"
    assert subprocess.run([str(bare), "-c", "import pymongo"], capture_output=True).returncode != 0, \
        "this python has the libraries already; the test would prove nothing"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "CALIPSO_HOME": str(tmp_path / "home")}
    try:
        res = subprocess.run([str(bare), "scan/scan.py", "-e", "no-such-env"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120)
    finally:
        subprocess.run([sys.executable, "-m", "app.cli.main", "store", "stop"], env={**env, "PATH": "/usr/bin:/bin"},
                       cwd=ROOT, capture_output=True, timeout=60)
    assert res.returncode == 2, res.stderr
    assert "unknown environment 'no-such-env'" in res.stderr and "Traceback" not in res.stderr
