#!/usr/bin/env python3
"""check_ping.py -f <source ip> -t <target ip> [-c N -i S -p PATTERN -w S -s BYTES -W L%/AVG/MAX -C L%/AVG/MAX]:
the tunnel peer answers `ping` from the tunnel's own address, within loss and round-trip thresholds.

Loss above the critical threshold, or average/maximum round trip at or above it -> critical; the same
against the warning threshold -> warning. No statistics in ping's output (it could not run) -> critical,
never a crash as in the original.
"""

from __future__ import annotations

import argparse
import re

from calipso_plugin import CRITICAL, OK, WARNING, UsageError, first_line, main_of, run_command

LOSS = re.compile(r"([\d.]+)% packet loss")
RTT = re.compile(r"(?:rtt|round-trip) min/avg/max/(?:mdev|stddev) = ([\d.]+)/([\d.]+)/([\d.]+)/")
HEX = re.compile(r"^[0-9a-fA-F]{1,32}$")


class _Parser(argparse.ArgumentParser):
    def error(self, message):   # strict: a bad call is UNKNOWN, never argparse's exit 2 (critical)
        raise UsageError(f"usage: {self.format_usage().strip()}: {message}")


def thresholds(text: str) -> tuple[float, float, float]:
    parts = text.rstrip().split("/")
    if len(parts) != 3 or not parts[0].endswith("%"):
        raise argparse.ArgumentTypeError(f"{text!r} is not LOSS%/AVG_MS/MAX_MS")
    try:
        return float(parts[0][:-1]), float(parts[1]), float(parts[2])
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not LOSS%/AVG_MS/MAX_MS") from None


def _pattern(text: str) -> str:
    if not HEX.match(text):
        raise argparse.ArgumentTypeError(f"{text!r} is not a hex pattern")
    return text


def _ip(text: str) -> str:
    if not re.fullmatch(r"[0-9A-Fa-f:.]+", text):
        raise argparse.ArgumentTypeError(f"{text!r} is not an IP address")
    return text


def arguments(args: list[str]) -> argparse.Namespace:
    p = _Parser(prog="check_ping.py", add_help=False)
    p.add_argument("-f", dest="source", type=_ip, required=True)
    p.add_argument("-t", dest="target", type=_ip, required=True)
    p.add_argument("-c", dest="count", type=int, default=5)
    p.add_argument("-i", dest="interval", type=float, default=0.5)
    p.add_argument("-p", dest="pattern", type=_pattern, default=None)
    p.add_argument("-w", dest="deadline", type=int, default=10)
    p.add_argument("-s", dest="size", type=int, default=56)
    p.add_argument("-W", dest="warning", type=thresholds, default=(1.0, 300.0, 600.0))
    p.add_argument("-C", dest="critical", type=thresholds, default=(10.0, 1000.0, 2000.0))
    return p.parse_args(args)


def statistics(text: str) -> tuple[float, float, float] | None:
    """(loss %, avg ms, max ms) from ping's summary; None when it has none. All lost: avg/max are 0."""
    loss = LOSS.search(text)
    if not loss:
        return None
    rtt = RTT.search(text)
    return float(loss.group(1)), float(rtt.group(2)) if rtt else 0.0, float(rtt.group(3)) if rtt else 0.0


def judge(stats: tuple[float, float, float], warning, critical) -> int:
    loss, avg, mx = stats
    if loss > critical[0] or avg >= critical[1] or mx >= critical[2]:
        return CRITICAL
    if loss > warning[0] or avg >= warning[1] or mx >= warning[2]:
        return WARNING
    return OK


def check(args: list[str], run=run_command) -> tuple[int, str]:
    a = arguments(args)
    argv = ["ping", "-c", str(a.count), "-i", str(a.interval), "-w", str(a.deadline), "-s", str(a.size)]
    if a.pattern:
        argv += ["-p", a.pattern]
    argv += ["-I", a.source, a.target]
    status, out, err = run(argv)
    stats = statistics(out)
    if stats is None:
        return CRITICAL, f"ping {a.source} -> {a.target} failed: {first_line(err or out) or f'exit {status}'}"
    result = judge(stats, a.warning, a.critical)
    return result, f"{a.source} -> {a.target}: {stats[0]:g}% loss, rtt avg {stats[1]:g} ms, max {stats[2]:g} ms"


if __name__ == "__main__":
    main_of(check)
