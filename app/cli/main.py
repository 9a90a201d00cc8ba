"""`calipso`: one command, a subcommand per service (design §3)."""

from __future__ import annotations

import argparse
import importlib
import logging
import sys

from app import __version__
from app.cli.commands import COMMANDS
from app.errors import CalipsoError, printable, shorten
from app.logs import setup_logging

log = logging.getLogger("calipso")


def common_options() -> argparse.ArgumentParser:
    """Options every subcommand takes, before or after its name."""
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-m", "--mongo_config", default=argparse.SUPPRESS, metavar="FILE",
                        help="MongoDB access file (key-value: server, port, user, pwd, auth_db); "
                             "default: $CALIPSO_MONGO_URI, else the embedded store")
    common.add_argument("-l", "--loglevel", default=argparse.SUPPRESS,
                        type=str.upper, choices=["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"],
                        help="log level (default INFO)")
    return common


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    common = common_options()
    parser = argparse.ArgumentParser(prog="calipso", parents=[common],
                                     description="Calipso: live inventory, links and topology of OpenStack virtual networking.")
    parser.add_argument("--version", action="version", version=f"calipso {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    for name, module in COMMANDS.items():
        if only is not None and name != only:
            sub.add_parser(name, help=_summary(module, name), add_help=False)
            continue
        importlib.import_module(module).add_parser(sub, common)
    return parser


def _summary(module: str, name: str) -> str:
    try:
        return importlib.import_module(module).HELP
    except Exception as e:  # a broken module must not hide the other commands
        return f"(unavailable: {e})"


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in argv if a in COMMANDS), None)
    parser = build_parser(only=command)
    args = parser.parse_args(argv)
    args.mongo_config = getattr(args, "mongo_config", None)
    args.loglevel = getattr(args, "loglevel", getattr(args, "default_loglevel", "INFO"))
    setup_logging(args.loglevel)
    return run_guarded(f"calipso {args.command}", args.run, args)


def run_guarded(prog: str, run, args) -> int:
    """Run a command: a CalipsoError becomes one line on stderr and its exit code, never a traceback."""
    from pymongo.errors import PyMongoError

    try:
        return int(run(args) or 0)
    except CalipsoError as e:
        print(f"{prog}: error: {_one_line(str(e))}", file=sys.stderr)
        return e.exit_code
    except PyMongoError as e:      # the store went away mid-command: say so, no traceback
        reason = str(e).split(",")[0].split(" (configured timeouts")[0]
        print(f"{prog}: error: the store stopped answering ({type(e).__name__}: {_one_line(reason)}); "
              "nothing more was done; run the command again once it is back", file=sys.stderr)
        return 1
    except RecursionError:
        print(f"{prog}: error: the input is nested too deeply to be read", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


def _one_line(text: str) -> str:
    """What a user's terminal may show of a message: no control bytes, no kilobytes echoed back."""
    return shorten(printable(text), 1000)


if __name__ == "__main__":
    sys.exit(main())
