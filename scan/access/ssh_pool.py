"""Pooled SSH connections: to an endpoint directly, or through a master as OpenSSH's ProxyJump does.

A jump endpoint (`via` set) is reached by a `direct-tcpip` channel on one of the master's pooled
connections, then a full SSH session to the host over that channel: the host's own key is checked
against the known-hosts store under the host's name, exactly as for a direct connection, and a
command costs one channel on a live connection. Forwarded channels are spread over several master
connections, and exec channels over several connections per endpoint, so no single transport (and
its send lock) carries the whole scan.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
from dataclasses import dataclass
from pathlib import Path

import paramiko

from app.ssh_channel import ChannelSocket
from scan.access.calls import AuthError, RemoteError

log = logging.getLogger(__name__)

CHANNELS_PER_CONNECTION = 8      # exec channels at once on one connection
FORWARDS_PER_CONNECTION = 24     # jump connections carried by one master connection
HOST_KEY_POLICIES = ("known_hosts", "accept-new", "accept-any")


class ConnectFailed(RemoteError):
    """The host could not be reached, or refused us (host key, no route); its other commands fail at once."""


class ForwardingRefused(ConnectFailed):
    """The master does not forward TCP (sshd `AllowTcpForwarding no`)."""


@dataclass(frozen=True)
class Endpoint:
    host: str
    port: int
    user: str
    pwd: str | None
    key: str | None
    via: "Endpoint | None" = None    # reached through this master's direct-tcpip forwarding


@dataclass
class Result:
    out: str
    err: str
    status: int


class _Conn:
    def __init__(self, client: paramiko.SSHClient, carrier: "tuple[Endpoint, _Conn] | None" = None):
        self.client = client
        self.transport = client.get_transport()
        self.busy = 0          # exec channels open now
        self.forwards = 0      # jump connections riding on this one
        self.commands = 0
        self.carrier = carrier
        self.open_lock = threading.Lock()

    def alive(self) -> bool:
        t = self.transport
        return t is not None and t.is_active()


class SshPool:
    """Pooled SSH connections per endpoint; host keys checked by `host_key_policy` (HOST_KEY_POLICIES)."""

    def __init__(self, host_key_policy: str = "known_hosts", known_hosts: Path | None = None,
                 timeout: float = 10.0, extra_known_hosts: list[Path] | None = None):
        self.policy = host_key_policy or "known_hosts"
        self.known_hosts = known_hosts
        self.extra_known_hosts = [Path(p) for p in extra_known_hosts or []]
        self.timeout = timeout
        self._conns: dict[Endpoint, list[_Conn]] = {}
        self._cond = threading.Condition()
        self._opening: set[Endpoint] = set()
        self._save_lock = threading.Lock()
        self.opened = 0
        self.jumped: set[str] = set()    # hosts reached by jump connections

    # -- opening -------------------------------------------------------------------------------
    def _new_client(self) -> paramiko.SSHClient:
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
        return c

    def _forward(self, ep: Endpoint) -> tuple[ChannelSocket, tuple[Endpoint, _Conn]]:
        """A direct-tcpip channel to `ep` on one of its master's connections."""
        master = ep.via
        carrier = self._acquire(master, "forwards", FORWARDS_PER_CONNECTION)
        try:
            with carrier.open_lock:   # paramiko keeps one refusal reason per transport: one open at a time
                chan = carrier.transport.open_channel("direct-tcpip", (ep.host, ep.port), ("127.0.0.1", 0),
                                                      timeout=self.timeout)
        except paramiko.ChannelException as e:
            self._release(master, carrier, False, "forwards")
            if e.code == paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED:
                raise ForwardingRefused("SSH", ep.host, "connect", f"the master {master.host} refuses TCP "
                                        "forwarding (its sshd has AllowTcpForwarding no?)") from None
            raise ConnectFailed("SSH", ep.host, "connect", f"host unreachable from the master {master.host}: "
                                f"port {ep.port}: {e.text or 'connect failed'}", transient=True) from None
        except (paramiko.SSHException, EOFError, OSError) as e:
            self._release(master, carrier, True, "forwards")
            raise ConnectFailed("SSH", ep.host, "connect", f"no channel through the master {master.host}: "
                                f"{e or type(e).__name__}", transient=True) from None
        return ChannelSocket(chan), (master, carrier)

    def _client(self, ep: Endpoint) -> _Conn:
        sock, carrier = (self._forward(ep) if ep.via is not None else (None, None))
        c = self._new_client()
        jump = f" through {ep.via.host}" if ep.via is not None else ""
        try:
            c.connect(ep.host, port=ep.port, username=ep.user, password=ep.pwd or None, sock=sock,
                      key_filename=ep.key or None, timeout=self.timeout, banner_timeout=self.timeout,
                      auth_timeout=self.timeout, allow_agent=False, look_for_keys=False)
        except BaseException as e:
            c.close()
            if sock is not None:
                sock.close()
                self._release(carrier[0], carrier[1], False, "forwards")
            if isinstance(e, paramiko.AuthenticationException):
                hint = (" (a jump connection logs in to each host with the CLI section's user and key; set "
                        "CLI.host_access to hop to use the master's own ssh instead)") if jump else ""
                raise AuthError("SSH", ep.host, "login", f"authentication failed for user {ep.user!r}{jump}"
                                + hint) from None
            if isinstance(e, paramiko.SSHException):
                reason = str(e)
                if "known_hosts" in reason or isinstance(e, paramiko.BadHostKeyException):
                    if "known_hosts" in reason:
                        reason += " (set CLI.host_key_policy to accept-new to trust it on first use)"
                    raise ConnectFailed("SSH", ep.host, "connect", reason + jump) from None
                raise ConnectFailed("SSH", ep.host, "connect", reason + jump, transient=True) from None
            if isinstance(e, (OSError, socket.timeout, EOFError)):
                raise ConnectFailed("SSH", ep.host, "connect", (getattr(e, "strerror", None) or str(e)
                                                                or "cannot connect") + jump, transient=True) from None
            raise
        t = c.get_transport()
        if t is not None:
            t.set_keepalive(30)
            if sock is None:
                try:
                    t.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                except (OSError, AttributeError):
                    pass
        if self.policy == "accept-new" and self.known_hosts:
            with self._save_lock:   # concurrent openers must not interleave their writes
                try:
                    c.save_host_keys(str(self.known_hosts))
                except OSError:
                    pass
        with self._cond:
            self.opened += 1
            if ep.via is not None:
                self.jumped.add(ep.host)
        return _Conn(c, carrier)

    # -- slots ---------------------------------------------------------------------------------
    def _acquire(self, ep: Endpoint, kind: str = "busy", limit: int = CHANNELS_PER_CONNECTION) -> _Conn:
        """A connection with a free slot of `kind`; opens at most one new connection at a time per endpoint."""
        with self._cond:
            while True:
                conns = self._conns.setdefault(ep, [])
                conns[:] = [c for c in conns if c.busy or c.forwards or c.alive()]
                free = [c for c in conns if getattr(c, kind) < limit]
                if free:
                    conn = min(free, key=lambda c: getattr(c, kind))
                    setattr(conn, kind, getattr(conn, kind) + 1)
                    return conn
                if ep not in self._opening:
                    self._opening.add(ep)
                    break
                self._cond.wait(self.timeout)
        try:
            conn = self._client(ep)
        finally:
            with self._cond:
                self._opening.discard(ep)
                self._cond.notify_all()
        with self._cond:
            setattr(conn, kind, 1)
            self._conns.setdefault(ep, []).append(conn)
        return conn

    def _release(self, ep: Endpoint, conn: _Conn, broken: bool, kind: str = "busy") -> None:
        with self._cond:
            setattr(conn, kind, getattr(conn, kind) - 1)
            if kind == "busy":
                conn.commands += 1
            if broken:
                self._drop(ep, conn)
            self._cond.notify_all()

    def _drop(self, ep: Endpoint, conn: _Conn) -> None:
        """Forget and close a connection (caller holds the lock); a jump connection frees its carrier's slot."""
        try:
            self._conns[ep].remove(conn)
        except (KeyError, ValueError):
            return
        conn.client.close()
        if conn.carrier is not None:
            master, carrier = conn.carrier
            carrier.forwards -= 1

    # -- running -------------------------------------------------------------------------------
    def exec(self, ep: Endpoint, command: str, timeout: float) -> Result:
        conn = self._acquire(ep)
        broken = False
        try:
            t = conn.transport
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
                out = _read_all(chan.recv)
                err = _read_all(chan.recv_stderr)
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
            jumps = [(ep, c) for ep, conns in self._conns.items() if ep.via is not None for c in conns]
            for ep, c in jumps:      # jump connections first: they ride on the masters' ones
                self._drop(ep, c)
            for conns in self._conns.values():
                for c in conns:
                    c.client.close()
            self._conns.clear()


def _read_all(recv) -> bytes:
    """Everything until EOF, in large reads (paramiko's file wrapper reads in small pieces)."""
    parts = []
    while True:
        chunk = recv(1 << 20)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
