"""SSH to the cloud's hosts (vim-contract §4.1): pooled SSH connections (asyncssh), quoted commands.

Commands are argv tuples quoted with shlex; nothing from the inventory reaches a shell raw.
A host listed in `CLI.hosts` is reached directly; the master's own commands run on the master
(known by `uname -n`); any other host is reached through the master, by `CLI.host_access`:

  jump  as OpenSSH's ProxyJump: a direct-tcpip channel over a pooled master connection, then a
        pooled SSH session to the host (its key checked under its host id, the master's user and
        credentials); a command costs one channel on a live connection.
  hop   `ssh <host> <command>` run on the master (the original's way), for masters that forbid
        forwarding; the master's own ssh checks the host's key (StrictHostKeyChecking follows
        CLI.host_key_policy: yes, accept-new or no).
  auto  (default) jump, and hop for the rest of the scan if the master refuses forwarding.

A host that cannot be reached is remembered for the rest of the scan, so its other
commands fail at once instead of each waiting for a timeout. Outputs are kept for the scan
(fetchers on several levels ask some commands again) up to CACHED_OUTPUT characters each: the
large ones (`ovs-vsctl show` of a full tunnel mesh) are read once, and would hold hundreds of MB;
all are kept compressed (scan.access.kept_outputs).
A full scan runs a host's usual independent commands in one call when the host is first asked
anything (`prefetch`, scan.fetchers.host_commands).
"""

from __future__ import annotations

import logging
import shlex
import threading
from typing import Callable

from app.envconfig.cli_hosts import host_entries
from scan.access.calls import AuthError, Caller, RemoteError
from scan.access.kept_outputs import KeptOutputs
from scan.access.ssh_pool import ConnectFailed, Endpoint, ForwardingRefused, Result, SshPool
from scan.access.translate import Argv, Translator

__all__ = ["Cli", "Endpoint", "Output", "Piped", "Raw", "Result", "SshPool", "HOST_ACCESS"]

log = logging.getLogger(__name__)

HOST_ACCESS = ("auto", "jump", "hop")
CACHED_OUTPUT = 32 * 1024
#: StrictHostKeyChecking for the master's ssh in hop mode, by CLI.host_key_policy
_HOP_CHECKING = {"known_hosts": "yes", "accept-new": "accept-new", "accept-any": "no"}


class Output(str):
    """A command's stdout, remembering where it came from (parsers name both on failure)."""

    host: str = ""
    call: str = ""
    status: int = 0


def output(text: str, host: str, call: str, status: int = 0) -> Output:
    o = Output(text)
    o.host, o.call, o.status = host, call, status
    return o


def _kept_output(key: tuple[str, str], text: str, status: int) -> Output:
    return output(text, key[0], key[1], status)


class Raw(str):
    """A constant shell snippet written in this code base (never built from data)."""


class Piped(Raw):
    """`argv | tail`: the argv translated and sudo'ed as any command (it may run in a container), the
    tail a constant of ours run by the host's own shell on its output."""

    def __new__(cls, argv: Argv, tail: str) -> "Piped":
        self = super().__new__(cls, shlex.join(argv) + " | " + tail)
        self.argv, self.tail = argv, tail
        return self


class _Prequoted(Raw):
    """A command list built by `run_each` from quoted, sudo'ed argvs: sent as it is."""


#: ends each output of a `run_each` batch (a line no command of ours prints)
_MARK = "__calipso_end_of_output__"


Command = "Argv | Raw"


class Cli:
    """Runs commands on cloud hosts by host id; caches outputs per (host, command) for one scan."""

    def __init__(self, section: dict, caller: Caller, pool: SshPool, translator: Translator | None = None,
                 sudo: bool | None = None):
        self.caller = caller
        self.pool = pool
        self.master = Endpoint(str(section["host"]), int(section.get("port") or 22), section["user"],
                               section.get("pwd"), section.get("key"))
        self.hosts: dict[str, Endpoint] = {}
        for host_id, h in host_entries(section).items():   # each entry inherits the section's credentials
            self.hosts[host_id] = Endpoint(str(h["host"]), int(h.get("port") or 22), h.get("user") or self.master.user,
                                           h.get("pwd"), h.get("key"))
        self.access = section.get("host_access") or "auto"
        if self.access not in HOST_ACCESS:
            raise ValueError(f"CLI.host_access must be one of {', '.join(HOST_ACCESS)}, got {self.access!r}")
        policy = getattr(pool, "policy", None) or section.get("host_key_policy") or "known_hosts"
        self.hop_checking = _HOP_CHECKING.get(policy, "yes")
        self.translate = translator or Translator(None, None, None)
        self.sudo = (section["user"] != "root") if sudo is None else sudo
        self._master_name: str | None = None
        self._lock = threading.Lock()
        self._cache: KeptOutputs[tuple[str, str], Output] = KeptOutputs(_kept_output)
        self._read_once: KeptOutputs[tuple[str, str], Output] = KeptOutputs(_kept_output)   # large, dropped once read
        #: the commands to run together on a host when it is first asked anything (`prefetch`)
        self.host_commands: Callable[[str], list[Argv | Raw]] | None = None
        self._prefetched: dict[str, threading.Event] = {}
        self._down: dict[str, str] = {}
        self._jumps: dict[str, Endpoint] = {}
        self.forwarding_refused = False

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
        if isinstance(command, _Prequoted):
            return [str(command)]
        if isinstance(command, Piped):
            return [f"{text} | {command.tail}" for text in self.quote(command.argv)]
        if isinstance(command, Raw):
            parts = [str(command)]
            return [("sudo " + p) if self.sudo else p for p in parts]
        out = []
        for argv in self.translate(tuple(command)):
            if self.sudo and argv[0] != "sudo":
                argv = ("sudo",) + argv
            out.append(shlex.join(argv))
        return out

    @property
    def hopping(self) -> bool:
        """Whether other hosts are reached by `ssh` on the master (hop) rather than by jump connections."""
        return self.access == "hop" or (self.access == "auto" and self.forwarding_refused)

    def _route(self, host: str, text: str) -> tuple[Endpoint, str]:
        ep = self.hosts.get(host)
        if ep is not None:
            return ep, text
        if host in ("", self.master.host) or host == self.master_name():
            return self.master, text
        if self.hopping:
            return self.master, shlex.join(["ssh", "-q", "-o", f"StrictHostKeyChecking={self.hop_checking}",
                                            "-o", "BatchMode=yes", host, text])
        with self._lock:
            jump = self._jumps.get(host)
            if jump is None:
                m = self.master
                jump = self._jumps[host] = Endpoint(host, 22, m.user, m.pwd, m.key, via=m)
        return jump, text

    def _run(self, ep: Endpoint, text: str, host: str, call: str) -> Result:
        timeout = self.caller.policy("SSH").timeout
        try:
            return self.pool.exec(ep, text, timeout)
        except RemoteError as e:
            raise type(e)("SSH", host, call, e.reason, transient=e.transient) from None

    def _once(self, host: str, text: str, call: str) -> Result:
        ep, wire = self._route(host, text)
        try:
            res = self._run(ep, wire, host, call)
        except ForwardingRefused as e:
            if self.access != "auto":
                raise ForwardingRefused("SSH", host, call, e.reason + "; set CLI.host_access to hop "
                                        "(or auto) to run commands through the master's ssh") from None
            with self._lock:
                first, self.forwarding_refused = not self.forwarding_refused, True
            if first:
                log.warning("%s; reaching the other hosts by ssh on the master instead", e.reason)
            ep, wire = self._route(host, text)
            res = self._run(ep, wire, host, call)
        if res.status == 255 and ep is self.master and wire != text:
            raise ConnectFailed("SSH", host, call, f"host unreachable from the master {self.master.host}"
                                + (f": {res.err.strip()}" if res.err.strip() else ""), transient=True)
        return res

    def run(self, host: str, command: Argv | Raw, ok_status: tuple[int, ...] = (0,), keep: bool = True,
            label: str | None = None) -> str:
        """stdout of `command` on `host`; RemoteError naming host and command (or `label`) on failure.
        With `keep`, a small output is kept for the scan's later askers."""
        call = label or (str(command) if isinstance(command, Raw) else shlex.join(command))
        if self.host_commands is not None and host and not isinstance(command, _Prequoted):
            self._first_touch(host)
        with self._lock:
            cached = self._cache.get((host, call))
            if cached is None:
                cached = self._read_once.take((host, call))
            down = self._down.get(host)
        if cached is not None and cached.status in ok_status:
            return cached
        if down is not None:
            raise RemoteError("SSH", host, call, down)
        outputs = []
        for text in self.quote(command):
            try:
                res = self.caller("SSH", host, call, lambda text=text: self._once(host, text, call))
            except (ConnectFailed, AuthError) as e:
                if host:
                    with self._lock:
                        self._down[host] = e.reason
                raise
            if res.status not in ok_status:
                detail = (res.err.strip() or res.out.strip()).splitlines()[:1]
                raise RemoteError("SSH", host, call, f"exit status {res.status}" + (f": {detail[0]}" if detail else ""))
            outputs.append(res.out)
        text = output("".join(outputs), host, call)
        if keep and len(text) <= CACHED_OUTPUT:
            with self._lock:
                self._cache.put((host, call), text)
        return text

    def run_each(self, host: str, commands: list[Argv]) -> list[str | None]:
        """stdout of each command, all run in one SSH call (a call costs a channel, round trips
        and, through the master, two layers of encryption; ten `virsh dumpxml` per host were
        half of a scan's calls). Each command is quoted as `run` quotes it, its stderr dropped,
        and its output ended by a marker line with its exit status; a command that failed gives None."""
        return [text if status == 0 else None for status, text in self._batch(host, commands)]

    def _batch(self, host: str, commands: list[Argv | Raw]) -> list[tuple[int, str]]:
        if not commands:
            return []
        parts = []
        for command in commands:
            texts = self.quote(command)
            parts.append("; ".join(t if "2>" in t else f"{t} 2>/dev/null" for t in texts) + f'; echo "{_MARK} $?"')
        first = str(commands[0]) if isinstance(commands[0], Raw) else shlex.join(commands[0])
        call = f"{first} and {len(commands) - 1} more in one call"
        out = self.run(host, _Prequoted(" ; ".join(parts)), keep=False, label=call)   # read once, by its memo
        found = []
        rest = out
        for _ in commands:
            text, sep, rest = rest.partition(_MARK + " ")
            status, nl, rest = rest.partition("\n")
            if not sep or not nl or not status.strip().isdigit():
                break
            found.append((int(status), text))
        if len(found) != len(commands) or rest.strip():
            raise RemoteError("SSH", host, call, f"expected {len(commands)} outputs each ended by a '{_MARK}' line, "
                              f"found {out.count(_MARK)}: the host's shell changed the output; ask one by one")
        return found

    def prefetch(self, host: str, commands: list[Argv | Raw]) -> None:
        """Run `commands` on `host` in one SSH call and keep each output, with its exit status, for
        the scan's askers (see scan.fetchers.host_commands).

        An asker for whom the status is a failure runs its command alone and gets its own error
        (the batch drops stderr). Outputs over CACHED_OUTPUT are kept until first read only."""
        commands = [c for c in commands if len(self.quote(c)) == 1]
        with self._lock:
            if self._down.get(host) is not None:
                return
        try:
            results = self._batch(host, commands)
        except RemoteError as e:
            log.debug("prefetch on %s failed, its commands are asked one by one: %s", host, e)
            return
        with self._lock:
            for command, (status, text) in zip(commands, results):
                call = str(command) if isinstance(command, Raw) else shlex.join(command)
                kept = self._cache if status == 0 and len(text) <= CACHED_OUTPUT else self._read_once
                kept.setdefault((host, call), text, status)

    def _first_touch(self, host: str) -> None:
        """The first asker of a host prefetches its `host_commands`; the others wait for that."""
        with self._lock:
            done = self._prefetched.get(host)
            first = done is None
            if first:
                done = self._prefetched[host] = threading.Event()
        if not first:
            done.wait()
            return
        try:
            self.prefetch(host, self.host_commands(host))
        finally:
            done.set()

    def forget(self) -> None:
        """The scan's fetching is over: drop the outputs kept for its fetchers and prefetch no more; a later
        asker (a post-scan hook) runs just its own command. Hosts found down stay down."""
        self.host_commands = None
        with self._lock:
            self._cache.clear()
            self._read_once.clear()
            self._prefetched.clear()

    def down_hosts(self) -> dict[str, str]:
        with self._lock:
            return dict(self._down)


def sftp_upload(pool: SshPool, ep: Endpoint):
    """An Uploader (monitoring.deploy) writing files on `ep` over one SFTP session of the pool."""
    return lambda files: pool.put_files(ep, files)
