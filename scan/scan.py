#!/usr/bin/env python3
"""`python3 scan/scan.py` with the original options (spec §6.8); the same as `calipso scan`."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


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
    sys.exit(main())
