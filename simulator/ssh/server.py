"""The master host's SSH server (paramiko): exec channels run the simulated shell; `direct-tcpip` to
`<host>:22` opens a nested SSH server for that host over the channel, as OpenSSH's ProxyJump uses it
([cvim] tunnels through the master; Calipso's jump connections). A master configured without TCP
forwarding refuses such channels as sshd does with `AllowTcpForwarding no` (administratively prohibited).
Each host presents its own host key (`host_keys(host)`), so a client checks every host it reaches.

Password and public-key auth; TCP_NODELAY on every accepted socket (without it each command costs ~90 ms).
"""

from __future__ import annotations

import logging
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Callable

import paramiko

from app.ssh_channel import ChannelSocket, QuietTransport
from simulator.ssh.result import Result
from simulator.ssh.shell import Shell

log = logging.getLogger(__name__)


@dataclass
class Credentials:
    """Who may log in: users with passwords, and the public keys accepted for every user."""

    passwords: dict[str, str]
    keys: list[paramiko.PKey] = field(default_factory=list)
    root_users: frozenset[str] = frozenset({"root"})

    def password_ok(self, user: str, password: str) -> bool:
        return user in self.passwords and self.passwords[user] == password

    def key_ok(self, user: str, key: paramiko.PKey) -> bool:
        return user in self.passwords and any(k == key for k in self.keys)


@dataclass
class HostPolicy:
    """Faults and latency per host, as callables so they can follow a model that changes."""

    fault: Callable[[str], str | None] = lambda host: None  # down | auth | slow | garbage | None
    delay: Callable[[str], float] = lambda host: 0.0  # seconds added to each command on that host


class _Interface(paramiko.ServerInterface):
    """One connection's view of the server: which host it is, who logged in, what it asked for."""

    def __init__(self, server: "SshServer", host: str, keys_only: bool):
        self.server, self.host, self.keys_only = server, host, keys_only
        self.user: str | None = None
        self.pending: dict[int, str] = {}  # exec requested, reply not sent yet
        self.commands: dict[int, str] = {}  # exec requested and acknowledged: safe to answer and close
        self.forwards: dict[int, str] = {}
        self.subsystems: set[int] = set()  # channels served by a subsystem (SFTP) on its own thread
        self.ready = threading.Condition()

    def get_allowed_auths(self, username: str) -> str:
        return "publickey" if self.keys_only else "publickey,password"

    def _auth_fault(self) -> bool:
        return self.server.policy.fault(self.host) == "auth"

    def check_auth_password(self, username: str, password: str) -> int:
        if self.keys_only or self._auth_fault() or not self.server.credentials.password_ok(username, password):
            return paramiko.AUTH_FAILED
        self.user = username
        return paramiko.AUTH_SUCCESSFUL

    def check_auth_publickey(self, username: str, key: paramiko.PKey) -> int:
        if self._auth_fault() or not self.server.credentials.key_ok(username, key):
            return paramiko.AUTH_FAILED
        self.user = username
        return paramiko.AUTH_SUCCESSFUL

    def check_channel_request(self, kind: str, chanid: int) -> int:
        return paramiko.OPEN_SUCCEEDED if kind == "session" else paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED

    def check_channel_exec_request(self, channel: paramiko.Channel, command: bytes) -> bool:
        with self.ready:
            self.pending[channel.get_id()] = command.decode("utf-8", "replace")
        return True

    def request_answered(self, chan_id: int) -> None:
        """Called once paramiko has sent its reply to a channel request: only then may the command run,
        or a fast answer (data, exit status, CLOSE) could overtake the SUCCESS and the client would see
        "Channel closed"."""
        with self.ready:
            if chan_id in self.pending:
                self.commands[chan_id] = self.pending.pop(chan_id)
                self.ready.notify_all()

    def check_channel_subsystem_request(self, channel: paramiko.Channel, name: str) -> bool:
        ok = super().check_channel_subsystem_request(channel, name)
        if ok:
            with self.ready:
                self.subsystems.add(channel.get_id())
                self.ready.notify_all()
        return ok

    def check_channel_shell_request(self, channel: paramiko.Channel) -> bool:
        return False

    def check_channel_pty_request(self, *args) -> bool:
        return True

    def check_channel_env_request(self, channel, name, value) -> bool:
        return True

    def check_channel_direct_tcpip_request(self, chanid: int, origin, destination) -> int:
        if not self.server.forwarding:
            return paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        target, port = destination
        view = self.server.views(target)
        if view is None or port != 22:
            return paramiko.OPEN_FAILED_CONNECT_FAILED
        if self.server.policy.fault(view.name) == "down":
            return paramiko.OPEN_FAILED_CONNECT_FAILED
        with self.ready:
            self.forwards[chanid] = view.name
            self.ready.notify_all()
        return paramiko.OPEN_SUCCEEDED


class SshServer:
    """Serves the master host on <bind>:<port>; other hosts are reached from it."""

    def __init__(self, shell: Shell, views: Callable, master: str, credentials: Credentials,
                 host_key: paramiko.PKey, policy: HostPolicy | None = None, garble: Callable[[str], str] | None = None,
                 host_keys: Callable[[str], paramiko.PKey] | None = None, forwarding: bool = True,
                 subsystems: Callable[[str], dict] | None = None):
        self.shell, self.views, self.master = shell, views, master
        self.subsystems = subsystems  # host -> {name: (handler class, kwargs)}, e.g. SFTP
        self.credentials, self.host_key = credentials, host_key
        self.host_keys = host_keys or (lambda host: host_key)
        self.forwarding = forwarding
        self.policy = policy or HostPolicy()
        self._garble = garble
        self._sock: socket.socket | None = None
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._transports: list[paramiko.Transport] = []
        self._lock = threading.Lock()
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
        sock.settimeout(0.2)
        self._sock = sock
        t = threading.Thread(target=self._accept_loop, name="sim-ssh-accept", daemon=True)
        t.start()
        self._threads.append(t)
        return self.port

    def stop(self) -> None:
        self._stop.set()
        if self._sock is not None:
            self._sock.close()
            self._sock = None
        with self._lock:
            transports = list(self._transports)
        for t in transports:
            t.close()
        for t in self._threads:
            t.join(timeout=2)

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except socket.timeout:
                continue
            except OSError:
                return
            conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
            threading.Thread(target=self._serve, args=(conn, self.master, False), daemon=True,
                             name="sim-ssh-conn").start()

    # --- one connection ----------------------------------------------------------------------------
    def _serve(self, sock, host: str, keys_only: bool) -> None:
        transport = QuietTransport(sock)
        transport.add_server_key(self.host_key if host == self.master else self.host_keys(host))
        for name, (handler, kwargs) in (self.subsystems(host) if self.subsystems else {}).items():
            transport.set_subsystem_handler(name, paramiko.SFTPServer, handler, **kwargs)
        iface = _Interface(self, host, keys_only)
        table = dict(transport._channel_handler_table)  # per transport: learn when a request was answered
        handle_request = table[paramiko.common.MSG_CHANNEL_REQUEST]

        def answered(chan, m) -> None:
            handle_request(chan, m)
            iface.request_answered(chan.get_id())

        table[paramiko.common.MSG_CHANNEL_REQUEST] = answered
        transport._channel_handler_table = table
        with self._lock:
            self._transports.append(transport)
        try:
            transport.start_server(server=iface)
        except (paramiko.SSHException, EOFError, OSError):
            transport.close()
            return
        try:
            while transport.is_active() and not self._stop.is_set():
                chan = transport.accept(timeout=2.0)
                if chan is None:
                    continue
                threading.Thread(target=self._channel, args=(iface, chan), daemon=True, name="sim-ssh-chan").start()
        finally:
            transport.close()
            with self._lock:
                if transport in self._transports:
                    self._transports.remove(transport)

    def _channel(self, iface: _Interface, chan: paramiko.Channel) -> None:
        chan_id = chan.get_id()
        deadline = time.monotonic() + 10
        with iface.ready:
            while chan_id not in iface.commands and chan_id not in iface.forwards and not chan.closed \
                    and chan_id not in iface.subsystems:
                if not iface.ready.wait(timeout=max(0.0, deadline - time.monotonic())):
                    break
            # pop: paramiko reuses channel ids, a stale entry would answer the next channel's request
            command, forward = iface.commands.pop(chan_id, None), iface.forwards.pop(chan_id, None)
            if chan_id in iface.subsystems:
                iface.subsystems.discard(chan_id)
                return  # its subsystem thread serves it
        if forward is not None:
            self._serve(ChannelSocket(chan), forward, keys_only=True)  # a nested SSH session to that host, key auth only
            return
        if command is None:
            chan.close()
            return
        try:
            result = self.execute(iface.host, command, iface.user or "")
            if result.out:
                chan.sendall(result.out.encode())
            if result.err:
                chan.sendall_stderr(result.err.encode())
            chan.send_exit_status(result.status)
        except (OSError, EOFError, paramiko.SSHException):
            pass
        finally:
            chan.close()

    def execute(self, host: str, command: str, user: str) -> Result:
        """Run one exec request on `host` as `user`, with that host's latency and faults applied."""
        delay = self.policy.delay(host)
        if delay:
            time.sleep(delay)
        result = self.shell.run(host, command, root=user in self.credentials.root_users)
        return self.post_process(host, result)

    def post_process(self, host: str, result: Result) -> Result:
        if self._garble is not None and self.policy.fault(host) == "garbage":
            return Result(self._garble(result.out), result.err, result.status)
        return result
