"""The host keys the scanner trusts: known_hosts files read once per pool, indexed by host name.

paramiko's SSHClient re-reads every file per connection and looks names up linearly; with a
jump connection per host of a 1,000-host cloud that is a million comparisons. Policies:
  known_hosts  a host whose key is not listed is refused
  accept-new   a new host's key is trusted and appended to Calipso's own known_hosts; a changed key is refused
  accept-any   any key is accepted (a changed one with a warning)
"""

from __future__ import annotations

import logging
import os
import threading
from pathlib import Path

import paramiko
from paramiko.hostkeys import HostKeyEntry, HostKeys, InvalidHostKey

log = logging.getLogger(__name__)

POLICIES = ("known_hosts", "accept-new", "accept-any")


class HostKeyRefused(Exception):
    """Why a host's key is not trusted (names the host)."""

    def __init__(self, reason: str, known: bool):
        super().__init__(reason)
        self.known = known    # the host is listed, with another key


def key_name(host: str, port: int) -> str:
    return host if port == 22 else f"[{host}]:{port}"


class KnownHosts:
    def __init__(self, policy: str = "known_hosts", own: Path | None = None, extra: list[Path] | None = None):
        self.policy = policy or "known_hosts"
        self.own = own
        self._plain: dict[str, dict[str, paramiko.PKey]] = {}
        self._hashed: list[HostKeyEntry] = []
        self._lock = threading.Lock()
        for path in [Path(os.path.expanduser("~/.ssh/known_hosts")), *(extra or []), *([own] if own else [])]:
            self._load(Path(path))

    def _load(self, path: Path) -> None:
        try:
            lines = path.read_text().splitlines()
        except OSError:
            return
        for line in lines:
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            try:
                entry = HostKeyEntry.from_line(line)
            except (InvalidHostKey, ValueError, IndexError):
                entry = None
            if entry is None or entry.key is None:
                continue
            for name in entry.hostnames:
                if name.startswith("|1|"):
                    self._hashed.append(HostKeyEntry([name], entry.key))
                else:
                    self._plain.setdefault(name, {})[entry.key.get_name()] = entry.key

    def lookup(self, name: str) -> dict[str, paramiko.PKey]:
        with self._lock:
            found = dict(self._plain.get(name, {}))
        for e in self._hashed:
            salted = e.hostnames[0]
            if HostKeys.hash_host(name, salted) == salted:
                found.setdefault(e.key.get_name(), e.key)
        return found

    def preferred(self, name: str, offered: tuple[str, ...]) -> tuple[str, ...]:
        """The server key types to ask for, the one we know first (as OpenSSH and paramiko do)."""
        known = list(self.lookup(name))
        if not known:
            return offered
        first = known[0]
        if first == "ssh-rsa":
            first = next((t for t in ("rsa-sha2-512", "rsa-sha2-256") if t in offered), first)
        return (first,) + tuple(t for t in offered if t != first)

    def check(self, name: str, key: paramiko.PKey) -> None:
        """Trust `key` for `name`, or raise HostKeyRefused saying why."""
        known = self.lookup(name)
        if not known:
            if self.policy == "known_hosts":
                raise HostKeyRefused(f"Server {name!r} not found in known_hosts (set CLI.host_key_policy to "
                                     "accept-new to trust it on first use)", known=False)
            with self._lock:
                self._plain.setdefault(name, {})[key.get_name()] = key
            if self.policy == "accept-new":
                self._append(name, key)
            return
        ours = known.get(key.get_name())
        if ours == key:
            return
        expected = ours or next(iter(known.values()))
        reason = (f"Host key for server {name!r} does not match: got {key.get_base64()[:24]}..., expected "
                  f"{expected.get_base64()[:24]}... (the host was reinstalled, or someone is in the way)")
        if self.policy == "accept-any":
            log.warning("%s; accepted (CLI.host_key_policy is accept-any)", reason)
            return
        raise HostKeyRefused(reason, known=True)

    def _append(self, name: str, key: paramiko.PKey) -> None:
        if not self.own:
            return
        with self._lock:
            try:
                self.own.parent.mkdir(parents=True, exist_ok=True)
                with self.own.open("a") as f:
                    f.write(f"{name} {key.get_name()} {key.get_base64()}\n")
            except OSError as e:
                log.warning("cannot record the host key of %s in %s: %s", name, self.own, e)
