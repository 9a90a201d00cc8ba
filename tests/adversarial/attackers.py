"""What the adversarial suite and the hardening bench throw at a server, loopback only: slow clients
(one header line every few seconds), and latency measured for everyone else meanwhile.

Attackers connect from 127.0.0.2 (all of 127/8 is this machine's loopback), so a per-address limit
sees them apart from the measuring clients at 127.0.0.1, as it would on a network.
"""

from __future__ import annotations

import socket
import threading
import time
from dataclasses import dataclass, field

ATTACKER = "127.0.0.2"


@dataclass
class SlowClients:
    """`count` connections that each send a request line, then one header line every `interval` s."""

    host: str
    port: int
    count: int = 100
    interval: float = 3.0
    source: str = ATTACKER
    opened: int = 0
    refused: int = 0
    closed_by_server: int = 0
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def __enter__(self) -> "SlowClients":
        self._thread = threading.Thread(target=self._run, name="slow-clients", daemon=True)
        self._thread.start()
        deadline = time.monotonic() + 30
        while self.opened + self.refused < self.count and time.monotonic() < deadline:
            time.sleep(0.05)
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(30)

    def _connect(self) -> socket.socket | None:
        s = socket.socket()
        s.settimeout(5)
        try:
            s.bind((self.source, 0))
            s.connect((self.host, self.port))
            s.sendall(b"GET /health HTTP/1.1\r\nHost: x\r\n")
            s.setblocking(False)
            self.opened += 1
            return s
        except OSError:
            self.refused += 1
            s.close()
            return None

    def _run(self) -> None:
        socks = [s for s in (self._connect() for _ in range(self.count)) if s is not None]
        n = 0
        while socks and not self._stop.wait(self.interval):
            n += 1
            alive = []
            for s in socks:
                try:
                    s.send(f"X-Slow-{n}: {'a' * 10}\r\n".encode())
                    alive.append(s)
                except OSError:
                    self.closed_by_server += 1
                    s.close()
            # a closed connection is opened again: the attack keeps its count up
            socks = alive + [s for s in (self._connect() for _ in range(len(socks) - len(alive))) if s]
        for s in socks:
            s.close()


def latencies(get, seconds: float, pause: float = 0.05) -> list[float]:
    """Seconds each call of `get()` took, calling it for `seconds` (an error counts as 30 s)."""
    out = []
    stop = time.monotonic() + seconds
    while time.monotonic() < stop:
        start = time.monotonic()
        try:
            get()
            out.append(time.monotonic() - start)
        except Exception:
            out.append(30.0)
        time.sleep(pause)
    return out


def p99(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(0.99 * len(ordered)))] if ordered else float("inf")


def call(url: str, method: str = "GET", body: bytes | None = None, headers: dict | None = None,
         source: str = "127.0.0.1", timeout: float = 30.0) -> tuple[int, dict, bytes]:
    """One HTTP request from the loopback address `source` (requests cannot choose it)."""
    import http.client
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=timeout, source_address=(source, 0))
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), body=body,
                     headers=headers or {})
        resp = conn.getresponse()
        return resp.status, dict(resp.getheaders()), resp.read()
    finally:
        conn.close()
