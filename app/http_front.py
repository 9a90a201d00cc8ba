"""The front of both servers: a WSGI application served from uvicorn's event loop.

Each request's body is read whole by the event loop first (at most `max_body` bytes, within
`body_timeout` seconds: 413 and 408 otherwise), so a client that sends slowly costs no application
thread; the WSGI application (falcon), in a2wsgi's thread pool, then reads it from memory. A response
that streams (the console's live updates) learns that its client left through the WSGI environ's
`calipso.client_gone` (a callable), since a write to a gone client is silently dropped here.

Requests that carry a password (`gate(scope)` says which) enter the application at most `gate_size` at
a time: a flood of password guesses waits in the event loop, not in the threads token users need. A 429
answer (a locked-out login) is held back up to `tarpit` seconds, as long as its Retry-After asks, so a
guesser that waits for each answer guesses slowly, at the cost of a sleeping coroutine.
"""

from __future__ import annotations

import asyncio
import json
import logging
import threading
from typing import Callable

from a2wsgi import WSGIMiddleware

log = logging.getLogger(__name__)
GONE_KEY = "calipso.client_gone"
STOP_KEY = "calipso.stop"       # in the server's scope: ends a streaming response (the server is stopping)


class _TooLarge(Exception):
    pass


class _Gone(Exception):
    pass


async def _answer(send, status: int, message: str, headers: tuple = ()) -> None:
    body = json.dumps({"error": {"code": str(status), "message": message}}).encode()
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"connection", b"close"), *headers]})
    await send({"type": "http.response.body", "body": body, "more_body": False})


def _declared_length(headers: list[tuple[bytes, bytes]]) -> int | None:
    for name, value in headers:
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


def _retry_after(headers: list[tuple[bytes, bytes]]) -> float:
    for name, value in headers:
        if name == b"retry-after":
            try:
                return float(value)
            except ValueError:
                return 0.0
    return 0.0


class BufferedWsgi:
    """An ASGI application serving `wsgi_app` with its request bodies buffered and bounded."""

    def __init__(self, wsgi_app: Callable, threads: int, max_body: int, body_timeout: float,
                 gate: Callable[[dict], bool] | None = None, gate_size: int = 2, tarpit: float = 2.0):
        self.inner = WSGIMiddleware(wsgi_app, workers=threads)
        self.max_body, self.body_timeout = max_body, body_timeout
        self.gate, self.tarpit = gate, tarpit
        self._gate = asyncio.Semaphore(max(1, gate_size))

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return await self.inner(scope, receive, send)
        declared = _declared_length(scope["headers"])
        if declared is not None and declared > self.max_body:
            return await _answer(send, 413, f"the request body is over {self.max_body} bytes")
        try:
            body = await asyncio.wait_for(self._read(receive), self.body_timeout)
        except _TooLarge:
            return await _answer(send, 413, f"the request body is over {self.max_body} bytes")
        except asyncio.TimeoutError:
            log.info("request from %s: no whole body within %.0f s", (scope.get("client") or ("?",))[0],
                     self.body_timeout)
            return await _answer(send, 408, f"the request body did not arrive within {self.body_timeout:.0f} s")
        except _Gone:
            return None
        gone = threading.Event()
        gone_async = asyncio.Event()
        headers = [(k, v) for k, v in scope["headers"] if k not in (b"content-length", b"transfer-encoding")]
        if body or scope["method"] not in ("GET", "HEAD", "OPTIONS", "DELETE"):
            headers.append((b"content-length", str(len(body)).encode()))
        inner_scope = {**scope, "headers": headers, GONE_KEY: gone.is_set}

        def stop() -> None:
            gone.set()
            gone_async.set()
        scope[STOP_KEY] = stop          # the worker calls it when it stops (app.http_worker)

        async def watch() -> None:
            while (await receive())["type"] != "http.disconnect":
                pass
            stop()

        watcher = asyncio.get_running_loop().create_task(watch())
        given = False

        async def replay():
            nonlocal given
            if not given:
                given = True
                return {"type": "http.request", "body": body, "more_body": False}
            await gone_async.wait()
            return {"type": "http.disconnect"}

        gated = self.gate is not None and self.gate(scope)
        held = False
        if gated:
            await self._gate.acquire()
            held = True

        async def answer(message) -> None:
            nonlocal held
            if message["type"] == "http.response.start":
                if held:              # the application has answered: the next password may go in
                    self._gate.release()
                    held = False
                if message["status"] == 429:
                    await asyncio.sleep(min(self.tarpit, _retry_after(message["headers"])))
            await send(message)

        try:
            await self.inner(inner_scope, replay, answer)
        finally:
            watcher.cancel()
            if held:
                self._gate.release()

    async def _read(self, receive) -> bytes:
        chunks, size = [], 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                raise _Gone()
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.max_body:
                raise _TooLarge()
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)


def client_gone(environ: dict) -> Callable[[], bool]:
    """For a streaming response: whether its client has left (never, under a server that does not say)."""
    scope = environ.get("asgi.scope") or {}
    return scope.get(GONE_KEY) or (lambda: False)
