"""The `ssh` entry of `simulator.servers`: the master host's SSH server wired to the model.

The master is the first controller (its `uname -n` is its host id, so [v2017] runs its commands directly
and wraps the others in `ssh <host>`). Login as `root` with the password or the RSA key pair generated
into `<state dir>/ssh/` (the public key is also what every other host accepts, as [cvim] requires).
The master forwards `direct-tcpip` to every host unless `extra["ssh_forwarding"]` is false. Every host has
its own ECDSA host key, derived from a seed kept in the state dir; `known_hosts` there lists them all, as
an operator would hand them out. A host with the `hostkey` fault presents another key (reinstalled, or a
man in the middle): clients that check keys refuse it, through a jump or through the master's `ssh`.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import threading
from pathlib import Path
from typing import Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from app.asyncssh_lib import asyncssh
from app.logs import register_secret
from simulator.faults import SLOW_SECONDS
from simulator.hostview import HostView
from simulator.hostview_build import build
from simulator.sensu.sftp import HostSFTP
from simulator.sensu.state import of as sensu_state
from simulator.sensu.views import LocalViews
from simulator.ssh.garble import garble
from simulator.ssh.server import Credentials, HostPolicy, SshServer
from simulator.ssh.shell import HopFailure, Shell

log = logging.getLogger(__name__)

USER = "root"


def public_line(key) -> str:
    """`<algorithm> <base64>`: the key as known_hosts and authorized_keys name it."""
    return f"{key.algorithm.decode()} {base64.b64encode(key.public_data).decode()}"


def _key(path: Path):
    """Load the RSA key at `path`, or create it (PEM, mode 0600) with its `.pub` next to it."""
    if path.exists():
        return asyncssh.read_private_key(str(path))
    path.parent.mkdir(parents=True, exist_ok=True)
    pem = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.TraditionalOpenSSL, serialization.NoEncryption())
    path.write_bytes(pem)
    path.chmod(0o600)
    key = asyncssh.import_private_key(pem)
    path.with_suffix(".pub").write_text(f"{public_line(key)} calipso-sim\n")
    return key


_P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


class HostKeys:
    """Each host's ECDSA key, derived from a secret seed and the host id (cheap for 1,000 hosts)."""

    def __init__(self, seed_path: Path, changed: Callable[[str], bool] = lambda host: False):
        if not seed_path.exists():
            seed_path.parent.mkdir(parents=True, exist_ok=True)
            seed_path.write_bytes(secrets.token_bytes(32))
            seed_path.chmod(0o600)
        self._seed = seed_path.read_bytes()
        self._changed = changed
        self._cache: dict[tuple[str, bool], asyncssh.SSHKey] = {}
        self._lock = threading.Lock()

    def key(self, host: str, changed: bool = False) -> asyncssh.SSHKey:
        with self._lock:
            k = self._cache.get((host, changed))
            if k is None:
                digest = hashlib.sha256(self._seed + host.encode() + (b"/changed" if changed else b"")).digest()
                private = ec.derive_private_key(int.from_bytes(digest, "big") % (_P256_ORDER - 1) + 1, ec.SECP256R1())
                k = self._cache[(host, changed)] = asyncssh.import_private_key(private.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
            return k

    def __call__(self, host: str) -> asyncssh.SSHKey:
        """The key `host` presents now."""
        return self.key(host, self._changed(host))


class ViewCache:
    """Host views rebuilt only when the model changed (`model.generation`); names and IPs resolve to hosts."""

    def __init__(self, model, aliases: dict[str, str] | None = None):
        self.model = model
        self.aliases = dict(aliases or {})  # e.g. the master's own address -> the master
        self._lock = threading.Lock()
        self._views: dict[str, tuple[int, HostView]] = {}

    def resolve(self, name: str) -> str | None:
        hosts = self.model.hosts
        if name in hosts:
            return name
        if name in self.aliases:
            return self.aliases[name]
        short = name.split(".")[0]
        if short in hosts:
            return short
        return next((h.name for h in hosts.values() if name in (h.ip, h.hypervisor_hostname, h.machine_name)), None)

    def __call__(self, name: str) -> HostView | None:
        host = self.resolve(name)
        if host is None:
            return None
        generation = self.model.generation
        with self._lock:
            cached = self._views.get(host)
            if cached and cached[0] == generation and self.model.settled():   # agents still plumbing: rebuild
                return cached[1]
        settled = self.model.settled()
        view = build(self.model, host)
        if settled:   # a view built while agents were still plumbing is stale once they are done
            with self._lock:
                self._views[host] = (generation, view)
        return view


class SSHServer:
    """`Cls(model, options)` with start/stop/config_section, as `simulator.servers` expects."""

    def __init__(self, model, options):
        self.model, self.options = model, options
        conditions = options.conditions
        self.master = next((h.name for h in model.hosts.values() if h.is_controller), next(iter(model.hosts)))
        ssh_dir = Path(options.state_dir) / "ssh"
        self.key_path = ssh_dir / "id_rsa"
        client_key = _key(self.key_path)
        host_key = _key(ssh_dir / "ssh_host_rsa_key")
        self.host_key = host_key
        self.known_hosts_path = ssh_dir / "known_hosts"
        self.password = options.extra.get("ssh_password") or secrets.token_urlsafe(12)
        register_secret(self.password)
        # [cvim] tunnels to the master's own address (an empty target) through the master itself
        state = sensu_state(options)
        self.views = LocalViews(ViewCache(model, {options.bind: self.master, options.host: self.master,
                                                  "localhost": self.master}), state, conditions)

        def fault(host: str) -> str | None:
            for kind in ("down", "auth", "garbage", "slow"):
                if conditions.has(host, kind) or (host == self.master and conditions.has("ssh", kind)):
                    return kind
            return None

        def hop_failure(host: str) -> HopFailure | None:
            kind = fault(host)
            if kind == "down":
                return HopFailure(f"ssh: connect to host {host} port 22: Connection refused\n")
            if kind == "auth":
                return HopFailure(f"{USER}@{host}: Permission denied (publickey,password).\n")
            return None

        def delay(host: str) -> float:
            extra = SLOW_SECONDS if host == self.master and conditions.has("ssh", "slow") and not conditions.has(
                host, "slow") else 0.0
            return conditions.delay("ssh", host) + extra

        policy = HostPolicy(fault=fault, delay=delay)
        self.host_keys = HostKeys(ssh_dir / "host_key_seed", lambda host: conditions.has(host, "hostkey"))
        self.server: SshServer | None = None

        def post(host: str, result):
            if host != self.master and self.server:   # the hop's latency, awaited by the server's loop
                self.server.hold(conditions.delay("ssh", host))
            return self.server.post_process(host, result) if self.server else result

        shell = Shell(self.views, hop_failure, post, lambda host: conditions.has(host, "hostkey"))
        self.server = SshServer(shell, self.views, self.master, Credentials({USER: self.password}, [client_key]),
                                host_key, policy, garble, host_keys=self.host_keys,
                                forwarding=bool(options.extra.get("ssh_forwarding", True)),
                                subsystems=lambda host: {"sftp": (HostSFTP, {"local": state.host(host)})})
        self.port = 0

    def start(self) -> None:
        self.port = self.server.start(int(self.options.extra.get("ssh_port", 0)), self.options.bind)
        # the scanner checks host keys: publish ours, as an operator would hand out known_hosts
        host = self.options.host if self.port == 22 else f"[{self.options.host}]:{self.port}"
        lines = [f"{host} {public_line(self.host_key)}"]
        for h in self.model.hosts.values():   # reached through the master by host id (or address) on port 22
            if h.name != self.master:
                k = self.host_keys.key(h.name)
                lines.append(f"{','.join(n for n in (h.name, h.ip) if n)} {public_line(k)}")
        self.known_hosts_path.write_text("\n".join(lines) + "\n")
        log.info("SSH master %s on %s:%d", self.master, self.options.bind, self.port)

    def stop(self) -> None:
        self.server.stop()

    def config_section(self) -> dict:
        section = {"host": self.options.host, "port": self.port, "user": USER, "pwd": self.password,
                   "key": str(self.key_path), "known_hosts": str(self.known_hosts_path)}
        if self.model.hosts[self.master].machine_name:
            # the master's own name is not its host id (Zed: compute1 vs vm): reach it by address; its
            # entry names only the address, and inherits the section's credentials
            section["hosts"] = {self.master: {"host": self.options.host, "port": self.port}}
        return section
