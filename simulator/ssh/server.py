"""The master host's SSH server (asyncssh): exec channels run the simulated shell; `direct-tcpip` to
`<host>:22` opens a nested SSH server for that host over the channel, as OpenSSH's ProxyJump uses it
([cvim] tunnels through the master; Calipso's jump connections). A master configured without TCP
forwarding refuses such channels as sshd does with `AllowTcpForwarding no` (administratively prohibited).
Each host presents its own host key (`host_keys(host)`), so a client checks every host it reaches.

Every connection, nested or not, lives on one asyncio event loop in one thread: a 10,000-host cloud
with a jump connection per host is 10,000 protocol objects, not 10,000 threads. Commands are rendered
by a small fixed pool of threads (`WORKERS`), so that a big render (`ovs-vsctl show` of a 3,000-host
full mesh: 15-25 ms, 700 KB) never holds the loop for its whole length; the renders are pure Python,
so more threads would add no parallelism, only GIL hand-offs (each socket write of the loop releases
the GIL, and a busy worker then keeps it for up to a switch interval). The same pool is the loop's
default executor, where asyncssh builds its options (at every login too). Latency
(`HostPolicy.delay`, and the hop latency a command's `ssh <host>` collects through `hold()`) is
awaited on the loop, never slept in a thread, so the pool stays free for rendering.

Password and public-key auth; TCP_NODELAY on every accepted socket (without it each command costs ~90 ms).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Callable

from app.asyncssh_lib import asyncssh
from asyncssh.sftp import MIN_SFTP_VERSION
from asyncssh.stream import SSHServerStreamSession
from simulator.ssh.result import Result
from simulator.ssh.shell import Shell

log = logging.getLogger(__name__)


def _not_a_lost_write(record: logging.LogRecord) -> bool:
    """asyncio's "socket.send() raised exception." is logged for each write, after the first few, to a socket whose
    client has gone; a client closing its master connection while the server answers the channels it carried
    (24 a connection) is the normal end of a large scan, not a fault: 1,500 such lines after a 10,000-host one."""
    return not (record.name == "asyncio" and record.msg == "socket.send() raised exception.")


#: threads rendering commands (the loop itself is one more)
WORKERS = 2
#: what the paramiko server offered (AES, no chacha20-poly1305, which asyncssh computes at twice the CPU per
#: packet and which OpenSSH and asyncssh clients would pick first)
CIPHERS = ("aes128-gcm@openssh.com", "aes256-gcm@openssh.com", "aes128-ctr", "aes192-ctr", "aes256-ctr")


def _public(key) -> bytes:
    """The SSH wire encoding of a key's public half (asyncssh SSHKey or SSHKeyPair)."""
    return key.public_data


@dataclass
class Credentials:
    """Who may log in: users with passwords, and the public keys (asyncssh keys) accepted for every user."""

    passwords: dict[str, str]
    keys: list = field(default_factory=list)
    root_users: frozenset[str] = frozenset({"root"})

    def password_ok(self, user: str, password: str) -> bool:
        return user in self.passwords and self.passwords[user] == password

    def key_ok(self, user: str, key) -> bool:
        return user in self.passwords and any(_public(k) == _public(key) for k in self.keys)


@dataclass
class HostPolicy:
    """Faults and latency per host, as callables so they can follow a model that changes."""

    fault: Callable[[str], str | None] = lambda host: None  # down | auth | slow | garbage | None
    delay: Callable[[str], float] = lambda host: 0.0  # seconds added to each command on that host


class _Host(asyncssh.SSHServer):
    """One connection's view of the server: which host it is, and who may log in to it."""

    def __init__(self, server: "SshServer", host: str, keys_only: bool):
        self.server, self.host, self.keys_only = server, host, keys_only
        self.conn: asyncssh.SSHServerConnection | None = None

    def connection_made(self, conn) -> None:
        self.conn = conn
        self.server._conns.add(conn)

    def connection_lost(self, exc) -> None:
        self.server._conns.discard(self.conn)

    # --- auth --------------------------------------------------------------------------------------
    def begin_auth(self, username: str) -> bool:
        return True

    def password_auth_supported(self) -> bool:
        return not self.keys_only

    def kbdint_auth_supported(self) -> bool:
        return False   # offered as `publickey,password`, as before (asyncssh would add keyboard-interactive)

    def public_key_auth_supported(self) -> bool:
        return True

    def _auth_fault(self) -> bool:
        return self.server.policy.fault(self.host) == "auth"

    def validate_password(self, username: str, password: str) -> bool:
        return not self.keys_only and not self._auth_fault() and self.server.credentials.password_ok(username, password)

    def validate_public_key(self, username: str, key) -> bool:
        return not self._auth_fault() and self.server.credentials.key_ok(username, key)

    # --- channels ----------------------------------------------------------------------------------
    def session_requested(self):
        return _Session(self)

    def connection_requested(self, dest_host: str, dest_port: int, orig_host: str, orig_port: int):
        if not self.server.forwarding:
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED, "TCP forwarding disabled")
        if dest_port != 22:
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_CONNECT_FAILED, "Connection refused")
        return self.server._nested(dest_host)


class _Session(SSHServerStreamSession):
    """A session channel: exec runs the simulated shell, `sftp` the host's SFTP; no shell."""

    def __init__(self, owner: _Host):
        self.owner = owner
        super().__init__(self._exec, self._sftp, MIN_SFTP_VERSION)   # SFTP version 3, as paramiko's server spoke

    def _subsystem(self, name: str):
        server = self.owner.server
        return (server.subsystems(self.owner.host) if server.subsystems else {}).get(name)

    def _sftp(self, chan):
        handler, kwargs = self._subsystem("sftp")
        return handler(chan, **kwargs)

    def shell_requested(self) -> bool:
        return False

    def subsystem_requested(self, subsystem: str) -> bool:
        return subsystem == "sftp" and self._subsystem(subsystem) is not None   # asyncssh serves SFTP only

    async def _exec(self, stdin, stdout, stderr) -> None:
        chan = stdout.channel
        host, server = self.owner.host, self.owner.server
        try:
            result = await server._execute(host, chan.get_command() or "", self.owner.conn.get_extra_info("username") or "")
            if result.out:
                stdout.write(result.out)
            if result.err:
                stderr.write(result.err)
            if chan.get_write_buffer_size():   # beyond the client's window: the status follows the data, as from sshd
                chan.set_write_buffer_limits(0)
                await stdout.drain()
            chan.exit(result.status)
        except (OSError, asyncssh.Error):
            chan.close()
        except Exception:   # the shell failed: say so, and give the client an answer rather than a hang
            log.exception("command %r on %s failed", chan.get_command(), host)
            chan.close()


class SshServer:
    """Serves the master host on <bind>:<port>; other hosts are reached from it."""

    def __init__(self, shell: Shell, views: Callable, master: str, credentials: Credentials,
                 host_key, policy: HostPolicy | None = None, garble: Callable[[str], str] | None = None,
                 host_keys: Callable[[str], object] | None = None, forwarding: bool = True,
                 subsystems: Callable[[str], dict] | None = None):
        self.shell, self.views, self.master = shell, views, master
        self.subsystems = subsystems  # host -> {"sftp": (asyncssh.SFTPServer class, kwargs)}
        self.credentials, self.host_key = credentials, host_key
        self.host_keys = host_keys or (lambda host: host_key)
        self.forwarding = forwarding
        self.policy = policy or HostPolicy()
        self._garble = garble
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._listener: asyncio.AbstractServer | None = None
        self._pool: ThreadPoolExecutor | None = None
        self._conns: set = set()   # every open connection, nested ones too (touched on the loop only)
        self._held = threading.local()
        self.port = 0

    # --- life cycle --------------------------------------------------------------------------------
    def start(self, port: int = 0, bind: str = "127.0.0.1") -> int:
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((bind, port))
        self.port = sock.getsockname()[1]
        if self.policy.fault(self.master) == "down":
            sock.close()  # nothing listens: clients get "Connection refused", as from a host that is down
            return self.port
        sock.listen(128)
        sock.setblocking(False)
        logging.getLogger("asyncio").addFilter(_not_a_lost_write)   # once: the same filter is not added twice
        self._pool = ThreadPoolExecutor(max_workers=WORKERS, thread_name_prefix="sim-ssh-run")
        self._loop = asyncio.new_event_loop()
        self._loop.set_default_executor(self._pool)   # asyncssh builds its options (at every login too) there
        started: Future = Future()
        self._thread = threading.Thread(target=self._run, args=(sock, started), name="sim-ssh-loop", daemon=True)
        self._thread.start()
        try:
            started.result(timeout=15)
        except BaseException:
            self.stop()
            raise
        return self.port

    def _run(self, sock: socket.socket, started: Future) -> None:
        loop = self._loop
        asyncio.set_event_loop(loop)

        async def listen() -> None:
            try:
                options = await self._options(self.master, keys_only=False)
                self._listener = await loop.create_server(
                    lambda: asyncssh.SSHServerConnection(loop, options), sock=sock, backlog=128)
                started.set_result(None)
            except BaseException as e:   # noqa: BLE001 - handed to start()
                sock.close()
                started.set_exception(e)

        loop.create_task(listen())
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    def stop(self) -> None:
        loop, thread = self._loop, self._thread
        if loop is None or thread is None:
            return
        if thread.is_alive():
            try:
                asyncio.run_coroutine_threadsafe(self._close(), loop).result(timeout=10)
            except Exception:   # noqa: BLE001 - stop anyway
                log.exception("closing the SSH server")
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=10)
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._loop = self._thread = self._pool = None

    async def _close(self) -> None:
        if self._listener is not None:
            self._listener.close()
            self._listener = None
        conns = list(self._conns)
        for conn in conns:
            conn.close()
        if conns:
            await asyncio.wait([asyncio.ensure_future(c.wait_closed()) for c in conns], timeout=5)
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        for t in tasks:
            t.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=2)

    # --- connections -------------------------------------------------------------------------------
    async def _options(self, host: str, keys_only: bool):
        key = self.host_key if host == self.master else self.host_keys(host)
        return await asyncssh.SSHServerConnectionOptions.construct(
            server_factory=lambda: _Host(self, host, keys_only), server_host_keys=[key],
            encryption_algs=CIPHERS, gss_host=None, line_editor=False, agent_forwarding=False, x11_forwarding=False,
            allow_scp=False, encoding="utf-8", errors="strict")

    async def _nested(self, target: str):
        """A `direct-tcpip` channel to `<target>:22`: an SSH server for that host, run over the channel
        (a TCP session, as asyncssh's own listeners through a tunnel run one), key auth only."""
        view = await self._call(self.views, target)
        if view is None or self.policy.fault(view.name) == "down":
            raise asyncssh.ChannelOpenError(asyncssh.OPEN_CONNECT_FAILED, "Connection refused")
        options = await self._options(view.name, keys_only=True)
        return asyncssh.SSHServerConnection(asyncio.get_running_loop(), options)

    # --- commands ----------------------------------------------------------------------------------
    async def _call(self, fn, *args):
        return await asyncio.get_running_loop().run_in_executor(self._pool, fn, *args)

    async def _execute(self, host: str, command: str, user: str) -> Result:
        delay = self.policy.delay(host)
        if delay:
            await asyncio.sleep(delay)
        result, held = await self._call(self._run_shell, host, command, user)
        if held:
            await asyncio.sleep(held)
        return result

    def _run_shell(self, host: str, command: str, user: str) -> tuple[Result, float]:
        self._held.seconds = 0.0
        try:
            result = self.shell.run(host, command, root=user in self.credentials.root_users)
            return self.post_process(host, result), self._held.seconds
        finally:
            self._held.seconds = None

    def hold(self, seconds: float) -> None:
        """Latency a command collects on the way (its `ssh <host>` hops): added to its answer's time by
        the loop when the command runs in the server, slept here when the shell runs outside it."""
        if seconds <= 0:
            return
        if getattr(self._held, "seconds", None) is not None:
            self._held.seconds += seconds
        else:
            time.sleep(seconds)

    def post_process(self, host: str, result: Result) -> Result:
        if self._garble is not None and self.policy.fault(host) == "garbage":
            return Result(self._garble(result.out), result.err, result.status)
        return result
