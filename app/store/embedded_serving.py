"""How the embedded store's server hands commands to threads, so that a client's heartbeat is never queued.

nx-27017 0.8.1 runs every command through `asyncio.to_thread`: the default executor, 6 threads on 2 cores,
and each command then waits for its database's lock. Calipso's API and console watch the store with 1 s
heartbeats and give up selecting it after 2 s (app.store.store `SERVING`): a `hello` queued behind a few
slow queries (a scan's big reads, a search over every name) timed out, and the API answered 503 although the
store was up. Here the handshake and liveness commands (`hello`, `isMaster`, `ping`), which read nothing, are
answered on the event loop at once, without a thread or a lock; every other command goes to the server's own
executor, large enough that connections do not wait for a thread while another database's lock is free.
"""

from __future__ import annotations

import asyncio
import functools
import types
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from typing import Any, Callable

COMMAND_THREADS = 32
HANDSHAKE = ("hello", "Hello", "ismaster", "isMaster")


def _command_doc(func: Callable, msg: Any) -> dict | None:
    """The command document of an OP_MSG (handle_command) or of an OP_QUERY on `$cmd` (handle_query)."""
    if not isinstance(msg, dict):
        return None
    name = getattr(func, "__name__", "")
    if name == "handle_command":
        return next((doc for kind, doc in msg.get("sections", ()) if kind == "body" and isinstance(doc, dict)), None)
    if name == "handle_query":
        coll = msg.get("collection") or ""
        query = msg.get("query")
        if (not coll or coll == "$cmd" or coll.endswith(".$cmd")) and isinstance(query, dict):
            inner = query.get("$query", query)
            return inner if isinstance(inner, dict) else None
    return None


def liveness_reply(command: dict | None) -> dict | None:
    """nx-27017's own answer to a handshake or a ping (nx_27017.handler), or None for any other command."""
    if not command:
        return None
    from nx_27017 import handler as nx

    first = next(iter(command))
    if first in HANDSHAKE:
        return {"ok": 1, "isWritablePrimary": True, "maxBsonObjectSize": nx.MAX_BSON_DOCUMENT_SIZE,
                "maxMessageSizeBytes": nx.MAX_MESSAGE_SIZE_BYTES, "maxWriteBatchSize": nx.MAX_WRITE_BATCH_SIZE,
                "localTime": datetime.now(timezone.utc),
                "logicalSessionTimeoutMinutes": nx.DEFAULT_SESSION_TIMEOUT_MINUTES, "connectionId": 1,
                "minWireVersion": nx.MIN_WIRE_VERSION, "maxWireVersion": nx.MAX_WIRE_VERSION}
    if first == "ping":
        return {"ok": 1}
    return None


def serving_asyncio(executor: ThreadPoolExecutor) -> types.SimpleNamespace:
    """The `asyncio` nx_27017.server sees: the real module, with `to_thread` answering liveness inline."""

    async def to_thread(func: Callable, /, *args: Any, **kwargs: Any) -> Any:
        reply = liveness_reply(_command_doc(func, args[0])) if len(args) == 1 and not kwargs else None
        if reply is not None:
            request_id = args[0].get("request_id", 0)
            return (request_id, [reply]) if func.__name__ == "handle_query" else (request_id, reply)
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(executor, functools.partial(func, *args, **kwargs))

    shim = types.SimpleNamespace(**{name: getattr(asyncio, name) for name in dir(asyncio) if not name.startswith("__")})
    shim.to_thread = to_thread
    return shim


def patch_serving(threads: int = COMMAND_THREADS) -> None:
    """Install it in nx_27017.server (the server process only)."""
    from nx_27017 import server

    if getattr(server.asyncio, "_calipso_serving", False):
        return
    shim = serving_asyncio(ThreadPoolExecutor(max_workers=threads, thread_name_prefix="nx-command"))
    shim._calipso_serving = True
    server.asyncio = shim
