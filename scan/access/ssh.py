"""SSH to the cloud's hosts (vim-contract §4.1): pooled paramiko connections, quoted commands.

Commands are argv tuples quoted with shlex; nothing from the inventory reaches a shell raw.
A host listed in `CLI.hosts` is reached directly; any other host through the master, as
`ssh <host> <command>` run there (unless the master itself is that host, by `uname -n`).
Connections are pooled per endpoint and reused; each carries several channels at once.
A host that cannot be reached is remembered for the rest of the scan, so its other
commands fail at once instead of each waiting for a timeout.
"""

from __future__ import annotations

import logging
import os
import shlex
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import paramiko

from scan.access.calls import AuthError, Caller, RemoteError
from scan.access.translate import Argv, Translator

log = logging.getLogger(__name__)

CHANNELS_PER_CONNECTION = 8


class Output(str):
    """A command's stdout, remembering where it came from (parsers name both on failure)."""

    host: str = ""
    call: str = ""


def output(text: str, host: str, call: str) -> Output:
    o = Output(text)
    o.host, o.call = host, call
    return o


class Raw(str):
    """A constant shell snippet written in this code base (never built from data)."""


Command = "Argv | Raw"


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    user: str
    pwd: str | None
    key: str | None


@dataclass
class Result:
    out: str
    err: str
    status: int


class _Conn:
    def __init__(self, client: paramiko.SSHClient):
        self.client = client
        self.busy = 0
        self.commands = 0

    def alive(self) -> bool:
        t = self.client.get_transport()
        return t is not None and t.is_active()


class SshPool:
    """Pooled SSH connections per endpoint."""

    def __init__(self, host_key_policy: str = "known_hosts", known_hosts: Path | None = None,
                 timeout: float = 10.0, extra_known_hosts: list[Path] | None = None):
        self.policy = host_key_policy or "known_hosts"
        self.known_hosts = known_hosts
        self.extra_known_hosts = [Path(p) for p in extra_known_hosts or []]
        self.timeout = timeout
        self._conns: dict[Endpoint, list[_Conn]] = {}
        self._cond = threading.Condition()
        self._opening: set[Endpoint] = set()
        self.opened = 0

    def _client(self, ep: Endpoint) -> paramiko.SSHClient:
        c = paramiko.SSHClient()
        user_known = Path(os.path.expanduser("~/.ssh/known_hosts"))
        if user_known.exists():
            c.load_host_keys(str(user_known))
        for extra in self.extra_known_hosts:
            if extra.exists():
                c.get_host_keys().load(str(extra))
        if self.known_hosts and self.known_hosts.exists():
            c.load_host_keys(str(self.known_hosts))
        if self.policy == "accept-any":
            c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        elif self.policy == "accept-new":
            if self.known_hosts:
                self.known_hosts.parent.mkdir(parents=True, exist_ok=True)
                self.known_hosts.touch(exist_ok=True)
                c.load_host_keys(str(self.known_hosts))  # AutoAdd then saves new keys here
            c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        else:
            c.set_missing_host_key_policy(paramiko.RejectPolicy())
        try:
            c.connect(ep.host, port=ep.port, username=ep.user, password=ep.pwd or None,
                      key_filename=ep.key or None, timeout=self.timeout, banner_timeout=self.timeout,
                      auth_timeout=self.timeout, allow_agent=False, look_for_keys=False)
        except paramiko.AuthenticationException:
            c.close()
            raise AuthError("SSH", ep.host, "login", f"authentication failed for user {ep.user!r}") from None
        except paramiko.SSHException as e:
            c.close()
            reason = str(e)
            if "not found in known_hosts" in reason or "known_hosts" in reason:
                reason += " (set CLI.host_key_policy to accept-new to trust it on first use)"
            raise RemoteError("SSH", ep.host, "connect", reason, transient="known_hosts" not in reason) from None
        except (OSError, socket.timeout) as e:
            c.close()
            raise RemoteError("SSH", ep.host, "connect", getattr(e, "strerror", None) or str(e) or "cannot connect",
                              transient=True) from None
        t = c.get_transport()
        if t is not None:
            t.set_keepalive(30)
            try:
                t.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            except (OSError, AttributeError):
                pass
        if self.policy == "accept-new" and self.known_hosts:
            try:
                c.save_host_keys(str(self.known_hosts))
            except OSError:
                pass
        self.opened += 1
        return c

    def _acquire(self, ep: Endpoint) -> _Conn:
        """A connection with a free channel slot; opens at most one new connection at a time per endpoint."""
        with self._cond:
            while True:
                conns = self._conns.setdefault(ep, [])
                conns[:] = [c for c in conns if c.busy or c.alive()]
                free = [c for c in conns if c.busy < CHANNELS_PER_CONNECTION]
                if free:
                    conn = min(free, key=lambda c: c.busy)
                    conn.busy += 1
                    return conn
                if ep not in self._opening:
                    self._opening.add(ep)
                    break
                self._cond.wait(self.timeout)
        try:
            conn = _Conn(self._client(ep))
        finally:
            with self._cond:
                self._opening.discard(ep)
                self._cond.notify_all()
        with self._cond:
            conn.busy = 1
            self._conns[ep].append(conn)
        return conn

    def _release(self, ep: Endpoint, conn: _Conn, broken: bool) -> None:
        with self._cond:
            conn.busy -= 1
            conn.commands += 1
            if broken:
                try:
                    self._conns[ep].remove(conn)
                except ValueError:
                    pass
                conn.client.close()
            self._cond.notify_all()

    def exec(self, ep: Endpoint, command: str, timeout: float) -> Result:
        conn = self._acquire(ep)
        broken = False
        try:
            t = conn.client.get_transport()
            if t is None or not t.is_active():
                broken = True
                raise RemoteError("SSH", ep.host, command, "connection lost", transient=True)
            try:
                chan = t.open_session(timeout=timeout)
            except (paramiko.SSHException, EOFError, OSError) as e:
                broken = True
                raise RemoteError("SSH", ep.host, command, f"cannot open a session: {e}", transient=True) from None
            try:
                chan.settimeout(timeout)
                try:
                    chan.exec_command(command)
                except (paramiko.SSHException, EOFError) as e:   # the server closed the channel early
                    raise RemoteError("SSH", ep.host, command, f"exec refused: {e}", transient=True) from None
                out = chan.makefile("rb").read()
                err = chan.makefile_stderr("rb").read()
                status = chan.recv_exit_status()
            except socket.timeout:
                raise RemoteError("SSH", ep.host, command, f"no answer within {timeout:g} s", transient=True) from None
            finally:
                chan.close()
            return Result(out.decode("utf-8", "replace"), err.decode("utf-8", "replace"), status)
        finally:
            self._release(ep, conn, broken)

    def close(self) -> None:
        with self._cond:
            for conns in self._conns.values():
                for c in conns:
                    c.client.close()
            self._conns.clear()


class Cli:
    """Runs commands on cloud hosts by host id; caches outputs per (host, command) for one scan."""

    def __init__(self, section: dict, caller: Caller, pool: SshPool, translator: Translator | None = None,
                 sudo: bool | None = None):
        self.caller = caller
        self.pool = pool
        self.master = Endpoint(str(section["host"]), int(section.get("port") or 22), section["user"],
                               section.get("pwd"), section.get("key"))
        self.hosts: dict[str, Endpoint] = {}
        for host_id, h in (section.get("hosts") or {}).items():
            self.hosts[host_id] = Endpoint(str(h.get("host", host_id)), int(h.get("port") or 22),
                                           h.get("user", self.master.user), h.get("pwd"), h.get("key"))
        self.translate = translator or Translator(None, None, None)
        self.sudo = (section["user"] != "root") if sudo is None else sudo
        self._master_name: str | None = None
        self._lock = threading.Lock()
        self._cache: dict[tuple[str, str], str] = {}
        self._down: dict[str, str] = {}

    def master_name(self) -> str:
        with self._lock:
            if self._master_name is not None:
                return self._master_name
        res = self.caller("SSH", self.master.host, "uname -n",
                          lambda: self._run(self.master, "uname -n", self.master.host, "uname -n"))
        with self._lock:
            self._master_name = res.out.strip()
            return self._master_name

    def quote(self, command: Argv | Raw) -> list[str]:
        """The shell text(s) sent for this command: translated, sudo'ed, quoted."""
        if isinstance(command, Raw):
            parts = [str(command)]
            return [("sudo " + p) if self.sudo else p for p in parts]
        out = []
        for argv in self.translate(tuple(command)):
            if self.sudo and argv[0] != "sudo":
                argv = ("sudo",) + argv
            out.append(shlex.join(argv))
        return out

    def _route(self, host: str, text: str) -> tuple[Endpoint, str]:
        ep = self.hosts.get(host)
        if ep is not None:
            return ep, text
        if host in ("", self.master.host) or host == self.master_name():
            return self.master, text
        return self.master, shlex.join(["ssh", "-q", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes", host, text])

    def _run(self, ep: Endpoint, text: str, host: str, call: str) -> Result:
        timeout = self.caller.policy("SSH").timeout
        try:
            return self.pool.exec(ep, text, timeout)
        except RemoteError as e:
            raise RemoteError("SSH", host, call, e.reason, transient=e.transient) from None

    def run(self, host: str, command: Argv | Raw, ok_status: tuple[int, ...] = (0,)) -> str:
        """stdout of `command` on `host`; RemoteError naming host and command on failure."""
        call = str(command) if isinstance(command, Raw) else shlex.join(command)
        with self._lock:
            cached = self._cache.get((host, call))
            down = self._down.get(host)
        if cached is not None:
            return cached
        if down is not None:
            raise RemoteError("SSH", host, call, down)
        outputs = []
        for text in self.quote(command):
            def do(text=text) -> Result:
                ep, wire = self._route(host, text)
                res = self._run(ep, wire, host, call)
                if res.status == 255 and ep is self.master and wire != text:
                    raise RemoteError("SSH", host, call, f"host unreachable from the master {self.master.host}"
                                      + (f": {res.err.strip()}" if res.err.strip() else ""), transient=True)
                return res
            try:
                res = self.caller("SSH", host, call, do)
            except RemoteError as e:
                if "unreachable" in e.reason or e.call == "connect" or "cannot connect" in e.reason:
                    with self._lock:
                        self._down[host] = e.reason
                raise
            if res.status not in ok_status:
                detail = (res.err.strip() or res.out.strip()).splitlines()[:1]
                raise RemoteError("SSH", host, call, f"exit status {res.status}" + (f": {detail[0]}" if detail else ""))
            outputs.append(res.out)
        text = output("".join(outputs), host, call)
        with self._lock:
            self._cache[(host, call)] = text
        return text

    def down_hosts(self) -> dict[str, str]:
        with self._lock:
            return dict(self._down)
