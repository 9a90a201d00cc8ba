"""Pooled SSH connections (asyncssh, all on one event loop): to an endpoint directly, or through a
master as OpenSSH's ProxyJump does.

A jump endpoint (`via` set) is reached by a `direct-tcpip` channel on one of the master's pooled
connections, then a full SSH session to the host over that channel: the host's own key is checked
against the known-hosts store under the host's name, exactly as for a direct connection, and a
command costs one channel on a live connection. Forwarded channels are spread over several master
connections, and exec channels over several connections per endpoint.

Connections are objects on one event loop (scan.access.event_loop), not threads: with paramiko a
3,000-host scan held a transport thread per connection here and on the simulated cloud, and every
packet of a jump connection woke threads on both sides (load average 1,358 on 2 cores).
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from pathlib import Path

from app.asyncssh_lib import asyncssh
from asyncssh.encryption import get_default_encryption_algs
from asyncssh.public_key import get_default_public_key_algs
from scan.access.calls import AuthError, RemoteError
from scan.access.event_loop import LoopThread
from scan.access.known_hosts import KnownHosts, key_name
from scan.access.ssh_client import ConnectFailed, ForwardingRefused, PoolClient, failure

__all__ = ["ConnectFailed", "Endpoint", "ForwardingRefused", "Result", "SshPool", "prefer_aead"]

log = logging.getLogger(__name__)

CHANNELS_PER_CONNECTION = 8      # exec channels at once on one connection
FORWARDS_PER_CONNECTION = 24     # jump connections carried by one master connection


def prefer_aead(ciphers: tuple[str, ...]) -> tuple[str, ...]:
    """AES-GCM first, the rest as offered: its authentication is one call into OpenSSL per packet
    (chacha20-poly1305, asyncssh's first choice, takes three). OpenSSH servers offer it since 6.2
    (2013); a server without it negotiates the next in the list. 128-bit keys first (fewer AES rounds)."""
    aead = tuple(sorted((c for c in ciphers if c.endswith("-gcm@openssh.com")), key=lambda c: "128" not in c))
    return aead + tuple(c for c in ciphers if c not in aead)


CIPHERS = prefer_aead(tuple(a.decode() for a in get_default_encryption_algs()))
HOST_KEY_ALGS = tuple(a.decode() for a in get_default_public_key_algs())


def _no_known_hosts(host: str, addr: str, port: int) -> tuple:
    """Nothing trusted up front: every host key goes to PoolClient.validate_host_public_key."""
    return (), (), ()


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
    def __init__(self, conn: asyncssh.SSHClientConnection, carrier: "_Conn | None" = None):
        self.conn = conn
        self.busy = 0          # exec channels open now
        self.forwards = 0      # jump connections riding on this one
        self.commands = 0
        self.carrier = carrier     # the master connection a jump connection rides on

    def alive(self) -> bool:
        return not self.conn.is_closed()


class SshPool:
    """Pooled SSH connections per endpoint; host keys checked by `host_key_policy` (known_hosts.POLICIES).
    Its methods are called from the scan's threads and run on the pool's own event loop."""

    def __init__(self, host_key_policy: str = "known_hosts", known_hosts: Path | None = None,
                 timeout: float = 10.0, extra_known_hosts: list[Path] | None = None):
        self.policy = host_key_policy or "known_hosts"
        self.known = KnownHosts(self.policy, known_hosts, [Path(p) for p in extra_known_hosts or []])
        self.timeout = timeout
        self._loop = LoopThread("ssh-pool")
        self._keys: dict[str, list] = {}
        self._conns: dict[Endpoint, list[_Conn]] = {}
        self._opening: set[Endpoint] = set()
        self._changed: asyncio.Event | None = None
        self.opened = 0
        self.jumped: set[str] = set()    # hosts reached by jump connections

    # -- called from the scan's threads --------------------------------------------------------
    def exec(self, ep: Endpoint, command: str, timeout: float) -> Result:
        return self._loop.run(self._exec(ep, command, timeout))

    def put_files(self, ep: Endpoint, files: dict[str, tuple[bytes, int]]) -> None:
        """Write each file (path -> (content, mode)) on `ep` over one SFTP session."""
        self._loop.run(self._put_files(ep, files))

    def close(self, wait: float = 0.5) -> None:
        """Close every connection (jump connections first: they ride on the masters' ones)."""
        if not self._loop.running():
            return
        try:
            self._loop.run(self._close_all(wait))
        finally:
            self._loop.stop()

    # -- opening -------------------------------------------------------------------------------
    def _client_keys(self, ep: Endpoint) -> list:
        """The login key (and its certificate beside it), read once per pool."""
        keys = self._keys.get(ep.key)
        if keys is None:
            try:
                keys = self._keys[ep.key] = asyncssh.load_keypairs([ep.key])   # `~` expanded by asyncssh
            except (OSError, asyncssh.KeyImportError) as e:
                raise AuthError("SSH", ep.host, "login", f"cannot read the private key {ep.key}: "
                                f"{getattr(e, 'strerror', None) or e}") from None
        return keys

    async def _connect(self, ep: Endpoint, carrier: "_Conn | None", client: PoolClient) -> asyncssh.SSHClientConnection:
        name = key_name(ep.host, ep.port)
        known = self.known.lookup(name)
        return await asyncssh.connect(
            ep.host, ep.port, tunnel=carrier.conn if carrier is not None else (),
            username=ep.user, password=ep.pwd or None,
            client_keys=self._client_keys(ep) if ep.key else None, agent_path=None, config=[],
            known_hosts=_no_known_hosts, client_factory=lambda: client,
            server_host_key_algs=list(self.known.preferred(name, HOST_KEY_ALGS)) if known else (),
            encryption_algs=list(CIPHERS), compression_algs=["none"], gss_auth=False, gss_kex=False,
            # a jump connection rides on its master's TCP connection, whose keepalive covers it
            keepalive_interval=30 if carrier is None else 0,
            connect_timeout=self.timeout)

    async def _client(self, ep: Endpoint) -> _Conn:
        carrier = None
        if ep.via is not None:
            carrier = await self._acquire(ep.via, "forwards", FORWARDS_PER_CONNECTION)
        client = PoolClient(self.known, key_name(ep.host, ep.port))
        try:
            conn = await self._connect(ep, carrier, client)
        except BaseException as e:
            if carrier is not None:
                # a channel that took too long to open leaves the master connection, and the hosts it
                # carries, as they were: only a connection that is gone is dropped
                self._release(ep.via, carrier, not carrier.alive(), "forwards")
            if isinstance(e, Exception):
                raise failure(ep, e, client, self.timeout) from None
            raise
        self.opened += 1
        if ep.via is not None:
            self.jumped.add(ep.host)
        return _Conn(conn, carrier)

    # -- slots ---------------------------------------------------------------------------------
    def _notify(self) -> None:
        if self._changed is not None:
            self._changed.set()
        self._changed = asyncio.Event()

    async def _wait_change(self) -> None:
        if self._changed is None:
            self._changed = asyncio.Event()
        try:
            await asyncio.wait_for(self._changed.wait(), self.timeout)
        except asyncio.TimeoutError:
            pass

    async def _acquire(self, ep: Endpoint, kind: str = "busy", limit: int = CHANNELS_PER_CONNECTION) -> _Conn:
        """A connection with a free slot of `kind`; opens at most one new connection at a time per endpoint."""
        while True:
            conns = self._conns.setdefault(ep, [])
            for dead in [c for c in conns if not (c.busy or c.forwards or c.alive())]:
                self._drop(ep, dead)     # a dead jump connection frees its carrier's slot
            free = [c for c in conns if getattr(c, kind) < limit and c.alive()]
            if free:
                conn = min(free, key=lambda c: getattr(c, kind))
                setattr(conn, kind, getattr(conn, kind) + 1)
                return conn
            if ep not in self._opening:
                self._opening.add(ep)
                break
            await self._wait_change()
        try:
            conn = await self._client(ep)
        finally:
            self._opening.discard(ep)
            self._notify()
        setattr(conn, kind, 1)
        self._conns.setdefault(ep, []).append(conn)
        return conn

    def _release(self, ep: Endpoint, conn: _Conn, broken: bool, kind: str = "busy") -> None:
        setattr(conn, kind, getattr(conn, kind) - 1)
        if kind == "busy":
            conn.commands += 1
        if broken:
            self._drop(ep, conn)
        self._notify()

    def _drop(self, ep: Endpoint, conn: _Conn) -> None:
        """Forget and close a connection; a jump connection frees its carrier's slot."""
        try:
            self._conns[ep].remove(conn)
        except (KeyError, ValueError):
            return
        conn.conn.close()
        if conn.carrier is not None:
            conn.carrier.forwards -= 1

    # -- running -------------------------------------------------------------------------------
    async def _exec(self, ep: Endpoint, command: str, timeout: float) -> Result:
        conn = await self._acquire(ep)
        broken = False
        proc = None
        try:
            if not conn.alive():
                broken = True
                raise RemoteError("SSH", ep.host, command, "connection lost", transient=True)
            try:
                async with asyncio.timeout(timeout):
                    proc = await conn.conn.create_process(command, encoding=None)
                    done = await proc.wait()
            except TimeoutError:
                raise RemoteError("SSH", ep.host, command, f"no answer within {timeout:g} s", transient=True) from None
            except asyncssh.ChannelOpenError as e:
                broken = not conn.alive()      # a slow or refused open is no reason to drop a live connection
                what = "exec refused" if e.code == asyncssh.OPEN_REQUEST_SESSION_FAILED else "cannot open a session"
                raise RemoteError("SSH", ep.host, command, f"{what}: {e.reason}", transient=True) from None
            except (asyncssh.Error, OSError) as e:
                broken = not conn.alive()
                raise RemoteError("SSH", ep.host, command, f"connection lost: {getattr(e, 'reason', e)}",
                                  transient=True) from None
            status = done.exit_status if done.exit_status is not None else -1
            return Result(_text(done.stdout), _text(done.stderr), status)
        finally:
            if proc is not None:
                proc.close()
            self._release(ep, conn, broken)

    async def _put_files(self, ep: Endpoint, files: dict[str, tuple[bytes, int]]) -> None:
        conn = await self._acquire(ep)
        broken = False
        try:
            async with conn.conn.start_sftp_client() as sftp:
                for path, (data, mode) in files.items():
                    async with sftp.open(path, "wb") as f:
                        await f.write(data)
                    await sftp.chmod(path, mode)
        except (asyncssh.Error, OSError) as e:
            broken = not conn.alive()
            raise RemoteError("SSH", ep.host, "sftp", f"cannot upload: {getattr(e, 'reason', None) or e}",
                              transient=broken) from None
        finally:
            self._release(ep, conn, broken)

    async def _close_all(self, wait: float) -> None:
        conns = [c for cs in self._conns.values() for c in cs]
        for ep, cs in list(self._conns.items()):
            if ep.via is not None:
                for c in list(cs):
                    self._drop(ep, c)
        for cs in self._conns.values():
            for c in cs:
                c.conn.close()
        self._conns.clear()
        if conns:
            await asyncio.wait([asyncio.ensure_future(c.conn.wait_closed()) for c in conns], timeout=wait)


def _text(data: bytes | str | None) -> str:
    if data is None:
        return ""
    return data.decode("utf-8", "replace") if isinstance(data, bytes) else data
