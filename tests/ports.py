"""Ports for the processes a test starts, taken where no other process takes one unasked.

A port the kernel hands out (a bind to port 0) is free when asked, but it comes from the ephemeral range, from
which every outgoing connection of every process takes its local port: by the time the started process binds
it, it can be taken (CI saw the simulator refuse to start, "Address already in use"). These come from outside
that range, where only a process naming its port binds one, and are checked free on every address.
"""

from __future__ import annotations

import random
import socket
from pathlib import Path

_RANGE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_BELOW = 10000      # ports tried below the ephemeral range (above the well-known and registered ones in use here)


def _ephemeral() -> tuple[int, int]:
    try:
        low, high = (int(x) for x in _RANGE.read_text().split()[:2])
        return low, high
    except (OSError, ValueError):
        return 32768, 60999     # Linux's default


def _free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        try:
            s.bind(("0.0.0.0", port))    # taken on any address (127.0.0.1 included) fails here
        except OSError:
            return False
    return True


def spare_port() -> int:
    """A free TCP port outside the ephemeral range, for a process the test starts to bind."""
    low, high = _ephemeral()
    candidates = range(max(1024, low - _BELOW), low) if low - 1024 >= 1000 else range(high + 1, 65536)
    rng = random.SystemRandom()
    for _ in range(200):
        port = rng.choice(candidates)
        if _free(port):
            return port
    raise RuntimeError(f"no free port found in {candidates.start}-{candidates.stop - 1} after 200 tries")
