#!/usr/bin/env python3
"""`python3 scan/scan.py` with the original options (spec §6.8); the same as `calipso scan`."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if __package__ in (None, ""):
    sys.path.insert(0, str(ROOT))


def _with_dependencies() -> None:
    """Run as the README writes it (`python3 scan/scan.py`, a python without Calipso's libraries), it
    starts again with the project's own .venv python, which `make` builds; else it says how to get one."""
    try:
        import pymongo  # noqa: F401  (any of the libraries Calipso needs)
        return
    except ImportError:
        pass
    venv = ROOT / ".venv"
    python = venv / "bin" / "python"
    if python.exists() and Path(sys.prefix).resolve() != venv.resolve():
        os.execv(str(python), [str(python), str(Path(__file__).resolve()), *sys.argv[1:]])
    sys.exit(f"scan.py: error: Calipso's libraries are not installed for {sys.executable}; run 'make "
             f".venv/.installed' in {ROOT} once, then 'python3 scan/scan.py' (or '.venv/bin/calipso scan') works")


def main(argv: list[str] | None = None) -> int:
    from app.cli.main import run_guarded
    from app.logs import setup_logging
    from scan import cli
    from scan.options import add_scan_arguments

    p = argparse.ArgumentParser(prog="scan.py", description=cli.HELP)
    p.add_argument("-m", "--mongo_config", default=None, help="MongoDB access file (server, port, user, pwd, auth_db)")
    p.add_argument("-l", "--loglevel", default="INFO", type=str.upper,
                   choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"])
    add_scan_arguments(p)
    args = p.parse_args(argv)
    setup_logging(args.loglevel)
    return run_guarded("scan.py", cli.run, args)


if __name__ == "__main__":
    _with_dependencies()
    sys.exit(main())
