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
import socket
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import paramiko

from app.ssh_channel import ChannelSocket, QuietTransport
from scan.access.calls import AuthError, RemoteError
from scan.access.known_hosts import HostKeyRefused, KnownHosts, key_name
from scan.access.private_keys import load_private_key

log = logging.getLogger(__name__)

CHANNELS_PER_CONNECTION = 8      # exec channels at once on one connection
FORWARDS_PER_CONNECTION = 24     # jump connections carried by one master connection


def prefer_aead(ciphers: tuple[str, ...]) -> tuple[str, ...]:
    """AES-GCM first, the rest as offered. paramiko checks a CTR cipher's MAC byte by byte in
    Python on every packet received (a third of a scan's SSH CPU, measured); with GCM the
    authentication is the cipher's own, in C. OpenSSH servers offer it since 6.2 (2013); a
    server without it negotiates the next in the list."""
    aead = tuple(c for c in ciphers if c.endswith("-gcm@openssh.com"))
    return aead + tuple(c for c in ciphers if c not in aead)


def _login_interrupted(e: Exception) -> bool:
    """Whether paramiko's login failure is a timeout or a lost connection, not a refusal: it raises the same
    AuthenticationException for all three, and under load (3,000 hosts opening connections beside the
    simulator) a login that took over the timeout was reported as wrong credentials and never retried."""
    text = str(e).lower()
    return "timeout" in text or "transport shut down" in text or "saw eof" in text


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
    def __init__(self, transport: paramiko.Transport, carrier: "tuple[Endpoint, _Conn] | None" = None):
        self.transport = transport
        self.busy = 0          # exec channels open now
        self.forwards = 0      # jump connections riding on this one
        self.commands = 0
        self.carrier = carrier
        self.open_lock = threading.Lock()

    def alive(self) -> bool:
        t = self.transport
        return t is not None and t.is_active()


class SshPool:
    """Pooled SSH connections per endpoint; host keys checked by `host_key_policy` (known_hosts.POLICIES)."""

    def __init__(self, host_key_policy: str = "known_hosts", known_hosts: Path | None = None,
                 timeout: float = 10.0, extra_known_hosts: list[Path] | None = None):
        self.policy = host_key_policy or "known_hosts"
        self.known = KnownHosts(self.policy, known_hosts, [Path(p) for p in extra_known_hosts or []])
        self.timeout = timeout
        self._keys: dict[str, paramiko.PKey] = {}
        self._conns: dict[Endpoint, list[_Conn]] = {}
        self._cond = threading.Condition()
        self._opening: set[Endpoint] = set()
        self.opened = 0
        self.jumped: set[str] = set()    # hosts reached by jump connections

    # -- opening -------------------------------------------------------------------------------
    def _pkey(self, path: str) -> paramiko.PKey:
        """A private key, read once per pool (decoding an RSA key costs more than a handshake)."""
        with self._cond:
            key = self._keys.get(path)
        if key is None:
            key = load_private_key(path)
            with self._cond:
                self._keys[path] = key
        return key

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
            # a channel that took too long to open leaves the master connection, and the hosts it carries, as
            # they were: only a connection that is gone is dropped (at 1,000 hosts under load one timeout
            # used to close a carrier and fail the 23 hosts riding on it)
            self._release(master, carrier, not carrier.transport.is_active(), "forwards")
            raise ConnectFailed("SSH", ep.host, "connect", f"no channel through the master {master.host}: "
                                f"{e or type(e).__name__}", transient=True) from None
        return ChannelSocket(chan), (master, carrier)

    def _handshake(self, ep: Endpoint, sock) -> paramiko.Transport:
        """Key exchange, host key check, login: what SSHClient.connect does, with keys read once."""
        t = QuietTransport(sock)
        try:
            t.banner_timeout = t.auth_timeout = self.timeout
            name = key_name(ep.host, ep.port)
            opts = t.get_security_options()
            opts.key_types = self.known.preferred(name, tuple(opts.key_types))
            opts.ciphers = prefer_aead(tuple(opts.ciphers))
            t.start_client(timeout=self.timeout)
            self.known.check(name, t.get_remote_server_key())
            if ep.key:
                try:
                    t.auth_publickey(ep.user, self._pkey(ep.key))
                except paramiko.AuthenticationException:
                    if not ep.pwd:
                        raise
            if not t.is_authenticated():
                if not ep.pwd:
                    raise paramiko.AuthenticationException("no password or key to log in with")
                t.auth_password(ep.user, ep.pwd)
            return t
        except BaseException:
            t.close()
            raise

    def _client(self, ep: Endpoint) -> _Conn:
        sock, carrier = (self._forward(ep) if ep.via is not None else (None, None))
        jump = f" through {ep.via.host}" if ep.via is not None else ""
        try:
            if sock is None:
                sock = socket.create_connection((ep.host, ep.port), timeout=self.timeout)
                sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            t = self._handshake(ep, sock)
        except BaseException as e:
            if sock is not None:
                sock.close()
            if carrier is not None:
                self._release(carrier[0], carrier[1], False, "forwards")
            if isinstance(e, paramiko.AuthenticationException) and _login_interrupted(e):
                raise ConnectFailed("SSH", ep.host, "login", f"login not finished{jump}: {e} (the host or the "
                                    "master answered too slowly; tried again)", transient=True) from None
            if isinstance(e, paramiko.AuthenticationException):
                hint = (" (a jump connection logs in to each host with the CLI section's user and key; set "
                        "CLI.host_access to hop to use the master's own ssh instead)") if jump else ""
                raise AuthError("SSH", ep.host, "login", f"authentication failed for user {ep.user!r}{jump}"
                                + hint) from None
            if isinstance(e, HostKeyRefused):
                raise ConnectFailed("SSH", ep.host, "connect", f"{e}{jump}") from None
            if isinstance(e, paramiko.SSHException):
                raise ConnectFailed("SSH", ep.host, "connect", f"{e}{jump}", transient=True) from None
            if isinstance(e, (OSError, socket.timeout, EOFError)):
                raise ConnectFailed("SSH", ep.host, "connect", (getattr(e, "strerror", None) or str(e)
                                                                or "cannot connect") + jump, transient=True) from None
            raise
        if ep.via is None:
            # a jump connection rides on its master's TCP connection, whose keepalive covers it; its own
            # would wake a thousand idle transports together every 30 s in the middle of a scan
            t.set_keepalive(30)
        with self._cond:
            self.opened += 1
            if ep.via is not None:
                self.jumped.add(ep.host)
        return _Conn(t, carrier)

    # -- slots ---------------------------------------------------------------------------------
    def _acquire(self, ep: Endpoint, kind: str = "busy", limit: int = CHANNELS_PER_CONNECTION) -> _Conn:
        """A connection with a free slot of `kind`; opens at most one new connection at a time per endpoint."""
        with self._cond:
            while True:
                conns = self._conns.setdefault(ep, [])
                for dead in [c for c in conns if not (c.busy or c.forwards or c.alive())]:
                    self._drop(ep, dead)     # a dead jump connection frees its carrier's slot
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
        conn.transport.close()
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
                broken = not t.is_active()      # a slow open is no reason to drop a live connection
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

    def close(self, wait: float = 0.5) -> None:
        """Close every connection, and wait up to `wait` seconds for their threads to end: a transport
        whose thread still runs is not garbage yet, and one collection after the close (scan.memory)
        would leave it in memory to the end of the scan. Jump connections' threads end at once; a direct
        connection's may take 2 s more (measured), which is not worth a scan's wait for one connection."""
        with self._cond:
            transports = [c.transport for conns in self._conns.values() for c in conns]
            jumps = [(ep, c) for ep, conns in self._conns.items() if ep.via is not None for c in conns]
            for ep, c in jumps:      # jump connections first: they ride on the masters' ones
                self._drop(ep, c)
            for conns in self._conns.values():
                for c in conns:
                    c.transport.close()
            self._conns.clear()
        deadline = time.monotonic() + wait
        for t in transports:
            if t is not threading.current_thread():
                t.join(max(0.0, deadline - time.monotonic()))


def _read_all(recv) -> bytes:
    """Everything until EOF, in large reads (paramiko's file wrapper reads in small pieces)."""
    parts = []
    while True:
        chunk = recv(1 << 20)
        if not chunk:
            return b"".join(parts)
        parts.append(chunk)
