"""The gunicorn worker both servers run: uvicorn's asyncio worker, so a connection waiting for a slow
client costs a socket and a few objects, never a thread. The request is read by the event loop; the
application (WSGI, in a thread pool) sees it only once it has fully arrived (see app.http_front).

On top of uvicorn, each connection gets what it lacks for hostile clients: the request head must
arrive within `head_timeout` seconds of the connection (or of the previous response), and one client
address holds at most `per_client` connections at once (more are answered 503 and closed).
"""

from __future__ import annotations

import logging
import resource

from uvicorn.protocols.utils import get_remote_addr
from uvicorn_worker import UvicornWorker

from app.http_front import STOP_KEY
from app.http_limits import Limits

log = logging.getLogger(__name__)

_BUSY_BODY = b'{"error": {"code": "503", "message": "too many connections from this address"}}'
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: application/json\r\nConnection: close\r\n"
        b"Retry-After: 5\r\nContent-Length: %d\r\n\r\n%s" % (len(_BUSY_BODY), _BUSY_BODY))
TOO_LARGE = (b"HTTP/1.1 431 Request Header Fields Too Large\r\nConnection: close\r\nContent-Length: 0\r\n\r\n")


def _client_counts(server_state) -> dict[str, int]:
    """Connections per client address, kept on the server's own shared state (one per worker)."""
    counts = getattr(server_state, "calipso_clients", None)
    if counts is None:
        counts = server_state.calipso_clients = {}
    return counts


class _Guard:
    """Mixed into uvicorn's HTTP protocol classes: the head timeout and the per-client limit."""

    limits: Limits = Limits()

    def connection_made(self, transport) -> None:
        super().connection_made(transport)
        self._head_timer = None
        self._head_bytes, self._head_tail = 0, b""
        self._counted = None
        addr = (get_remote_addr(transport) or ("?", 0))[0]
        counts = _client_counts(self.server_state)
        if self.limits.trusts(addr):   # a load balancer: many clients on its connections, each named in them
            self._arm_head_timer()
            return
        if counts.get(addr, 0) >= self.limits.per_client:
            log.warning("refused a connection from %s: it already holds %d", addr, counts[addr])
            transport.write(BUSY)
            transport.close()
            return
        counts[addr] = counts.get(addr, 0) + 1
        self._counted = addr
        self._arm_head_timer()

    def connection_lost(self, exc) -> None:
        self._disarm_head_timer()
        if self._counted is not None:
            counts = _client_counts(self.server_state)
            left = counts.get(self._counted, 1) - 1
            if left > 0:
                counts[self._counted] = left
            else:
                counts.pop(self._counted, None)
            self._counted = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._awaiting_head():
            if self._head_timer is None:
                self._arm_head_timer()
            window = self._head_tail + data           # the blank line ending a head may straddle two reads
            end = window.find(b"\r\n\r\n")
            self._head_bytes += len(data) if end < 0 else max(0, end + 4 - len(self._head_tail))
            self._head_tail = window[-3:]
            if self._head_bytes > self.limits.max_head:
                if not self.transport.is_closing():
                    log.info("closed a connection from %s: a request head over %d bytes",
                             (self.client or ("?",))[0], self.limits.max_head)
                    self.transport.write(TOO_LARGE)
                    self.transport.close()
                return
        super().data_received(data)
        if not self._awaiting_head():
            self._disarm_head_timer()

    def on_response_complete(self) -> None:
        super().on_response_complete()
        self._disarm_head_timer()   # the keep-alive timeout runs until the next request's first byte

    def shutdown(self) -> None:
        """The worker is stopping: a streaming response (a live-update stream) is told to end now,
        rather than hold the stop until the arbiter's graceful timeout kills the worker."""
        scope = self.cycle.scope if self.cycle is not None and not self.cycle.response_complete else {}
        stop = scope.get(STOP_KEY)
        if stop is not None:
            stop()
        super().shutdown()

    def _awaiting_head(self) -> bool:
        return self.cycle is None or self.cycle.response_complete

    def _arm_head_timer(self) -> None:
        self._head_bytes, self._head_tail = 0, b""
        self._head_timer = self.loop.call_later(self.limits.head_timeout, self._head_late, self.cycle)

    def _disarm_head_timer(self) -> None:
        if getattr(self, "_head_timer", None) is not None:
            self._head_timer.cancel()
            self._head_timer = None

    def _head_late(self, cycle) -> None:
        self._head_timer = None
        if self.cycle is cycle and self._awaiting_head() and not self.transport.is_closing():
            log.info("closed a connection from %s: no whole request head within %.0f s",
                     (self.client or ("?",))[0], self.limits.head_timeout)
            self.transport.close()


def guarded_protocol(limits: Limits) -> type:
    """uvicorn's fastest available HTTP protocol class, guarded with `limits`."""
    try:
        from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as base
    except ImportError:   # httptools is optional: the pure-Python parser
        from uvicorn.protocols.http.h11_impl import H11Protocol as base
    return type(f"Guarded{base.__name__}", (_Guard, base), {"limits": limits})


def _more_files(wanted: int) -> None:
    """Raise this process's open-file limit towards `wanted` (the hard limit caps it)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = wanted if hard == resource.RLIM_INFINITY else min(wanted, hard)
    if soft != resource.RLIM_INFINITY and soft < target:
        try:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
        except (ValueError, OSError):
            pass


class GuardedWorker(UvicornWorker):
    """uvicorn under gunicorn's arbiter, with the limits the application object (FactoryApp) carries."""

    CONFIG_KWARGS = {"loop": "asyncio", "http": "auto", "lifespan": "off", "proxy_headers": False,
                     "server_header": False}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        limits: Limits = getattr(self.app, "limits", None) or Limits()
        self.config.http = guarded_protocol(limits)
        self.config.limit_concurrency = limits.max_connections
        self.config.h11_max_incomplete_event_size = limits.max_head
        if limits.trusted_proxies:   # the client a trusted load balancer names is the request's address
            self.config.proxy_headers = True
            self.config.forwarded_allow_ips = list(limits.trusted_proxies)
        _more_files(limits.max_connections + 64)

