"""What every Calipso check script shares (deployed with them to /etc/sensu/plugins).

Standard library only. A check is `check(args, run) -> (status, text)`: `args` are its command-line
arguments, parsed strictly (a wrong call is status 3, UNKNOWN, never a false OK or a false alarm);
`run(argv) -> (exit status, stdout, stderr)` runs one command without a shell (the simulated cloud
passes its own). Exit codes are Nagios/Sensu's: 0 OK, 1 warning, 2 critical, 3 unknown.
"""

from __future__ import annotations

import subprocess
import sys

OK, WARNING, CRITICAL, UNKNOWN = 0, 1, 2, 3
TIMEOUT = 10


class UsageError(Exception):
    pass


def run_command(argv: list[str]) -> tuple[int, str, str]:
    try:
        p = subprocess.run(argv, capture_output=True, text=True, timeout=TIMEOUT, check=False)
    except FileNotFoundError:
        return 127, "", f"{argv[0]}: command not found\n"
    except subprocess.TimeoutExpired:
        return 124, "", f"{argv[0]}: no answer within {TIMEOUT} s\n"
    return p.returncode, p.stdout, p.stderr


def positional(args: list[str], names: list[str], usage: str) -> list[str]:
    """Exactly these positional arguments, none starting with '-' (so no option is taken for a value)."""
    if len(args) != len(names) or any(a.startswith("-") or not a for a in args):
        raise UsageError(f"usage: {usage}")
    return list(args)


def first_line(text: str) -> str:
    return (text.strip().splitlines() or [""])[0]


def main_of(check) -> None:
    """Run `check` on sys.argv, print its text, exit with its status."""
    try:
        status, text = check(sys.argv[1:], run_command)
    except UsageError as e:
        status, text = UNKNOWN, str(e)
    except Exception as e:  # a bug in a check must say so, not pass as OK
        status, text = UNKNOWN, f"check failed: {type(e).__name__}: {e}"
    print(text)
    sys.exit(status)
