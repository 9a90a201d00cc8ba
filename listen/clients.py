"""The scanner's access clients, kept across events (adapter on the listener's side).

`scan.clients.build_clients` makes fresh clients for one scan; a listener handles many small
batches, and a new SSH pool per batch would pay a handshake per host per event. This keeps the
REST session, MySQL pool and SSH pool, and gives each batch a fresh `Cli` (its output cache is
per scan, so a batch never reads an earlier batch's command output).
"""

from __future__ import annotations

import threading
from typing import Callable

from scan.access.calls import Caller
from scan.access.ssh import Cli
from scan.clients import Clients, build_clients, section

ClientsFactory = Callable[[dict, Caller], Clients]


class KeptClients:
    """A clients factory (env, caller) -> Clients that reuses the long-lived parts."""

    def __init__(self, build: ClientsFactory = build_clients):
        self._build = build
        self._base: Clients | None = None
        self._lock = threading.Lock()

    def __call__(self, env: dict, caller: Caller) -> Clients:
        with self._lock:
            if self._base is None:
                self._base = self._build(env, caller)
                return self._base
            base = self._base
        cli = base.cli
        if isinstance(cli, Cli) and (s := section(env, "CLI")) is not None:
            cli = Cli(s, caller, base.pool if base.pool is not None else cli.pool, cli.translate, sudo=cli.sudo)
        return Clients(api=base.api, db=base.db, cli=cli, aci=base.aci, pool=None)

    def close(self) -> None:
        with self._lock:
            if self._base is not None:
                self._base.close()
                self._base = None
