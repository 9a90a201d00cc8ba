"""Host-local state the model does not hold: files written on each host, and who wants to know
when a host's Sensu client is restarted. Shared by the SSH server and the Sensu clients of one
simulation (kept in `options.extra`, never a global)."""

from __future__ import annotations

import posixpath
import threading
from dataclasses import dataclass, field
from typing import Callable


@dataclass
class File:
    data: bytes
    mode: int = 0o644


@dataclass
class HostLocal:
    """One host's files (absolute path -> File) and its Sensu client restart hook."""

    name: str
    files: dict[str, File] = field(default_factory=dict)
    on_restart: Callable[[str], None] | None = None
    faults: frozenset[str] = frozenset()
    neighbours: Callable[[str], list[tuple[str, str]]] | None = None   # namespace -> [(ip, mac)] answering
    peer_up: Callable[[str], bool] | None = None   # does some host answer on this IP address?
    lock: threading.Lock = field(default_factory=threading.Lock)

    def write(self, path: str, data: bytes, mode: int | None = None) -> None:
        path = posixpath.normpath(path)
        with self.lock:
            old = self.files.get(path)
            self.files[path] = File(bytes(data), mode if mode is not None else (old.mode if old else 0o644))

    def read(self, path: str) -> File | None:
        with self.lock:
            return self.files.get(posixpath.normpath(path))

    def remove(self, path: str) -> bool:
        with self.lock:
            return self.files.pop(posixpath.normpath(path), None) is not None

    def chmod(self, path: str, mode: int) -> bool:
        with self.lock:
            f = self.files.get(posixpath.normpath(path))
            if f is None:
                return False
            f.mode = mode
            return True

    def listdir(self, directory: str) -> list[str] | None:
        """Names directly under `directory` (files and sub-directories); None if nothing is there."""
        d = posixpath.normpath(directory).rstrip("/") + "/"
        with self.lock:
            names = {p[len(d):].split("/", 1)[0] for p in self.files if p.startswith(d)}
        return sorted(names) if names else None

    def is_dir(self, path: str) -> bool:
        return self.listdir(path) is not None


class SensuState:
    """Every host's HostLocal, created on first use."""

    def __init__(self):
        self._hosts: dict[str, HostLocal] = {}
        self._lock = threading.Lock()
        self.restart_listeners: list[Callable[[str], None]] = []

    def host(self, name: str) -> HostLocal:
        with self._lock:
            h = self._hosts.get(name)
            if h is None:
                h = self._hosts[name] = HostLocal(name, on_restart=self.restarted)
            return h

    def restarted(self, name: str) -> None:
        for listener in list(self.restart_listeners):
            listener(name)


def of(options) -> SensuState:
    """The simulation's SensuState (one per SimOptions)."""
    return options.extra.setdefault("sensu_state", SensuState())
