"""One SSH login as the pool makes it: the host key checked against our known-hosts store before
any credential is sent, and every way a login can fail turned into the scan's own errors.

A refusal is an AuthError (never retried: the credentials are wrong); a timeout, a dropped
connection or a busy master is a transient ConnectFailed (the call is tried again); a host key
we do not trust is a ConnectFailed that names the host and why.
"""

from __future__ import annotations

import asyncio

import paramiko

from app.asyncssh_lib import asyncssh
from scan.access.calls import AuthError, RemoteError
from scan.access.known_hosts import HostKeyRefused, KnownHosts


class ConnectFailed(RemoteError):
    """The host could not be reached, or refused us (host key, no route); its other commands fail at once."""


class ForwardingRefused(ConnectFailed):
    """The master does not forward TCP (sshd `AllowTcpForwarding no`)."""


class PoolClient(asyncssh.SSHClient):
    """Checks the server's host key with KnownHosts under the name the pool looks it up by."""

    def __init__(self, known: KnownHosts, name: str):
        self.known, self.name = known, name
        self.refused: HostKeyRefused | None = None

    def validate_host_public_key(self, host: str, addr: str, port: int, key: asyncssh.SSHKey) -> bool:
        try:
            self.known.check(self.name, _as_paramiko(key))
        except HostKeyRefused as e:
            self.refused = e
            return False
        return True


def _as_paramiko(key: asyncssh.SSHKey) -> paramiko.PKey:
    """The same public key as the known-hosts store holds keys (paramiko's, read from OpenSSH files)."""
    return paramiko.PKey.from_type_string(key.get_algorithm(), key.public_data)


def failure(ep, e: Exception, client: PoolClient, timeout: float) -> RemoteError:
    """The scan's error for a login to `ep` that raised `e`."""
    jump = f" through {ep.via.host}" if ep.via is not None else ""
    if isinstance(e, RemoteError):
        return e
    if isinstance(e, asyncssh.HostKeyNotVerifiable):
        return ConnectFailed("SSH", ep.host, "connect", f"{client.refused or e.reason}{jump}")
    if isinstance(e, asyncssh.PermissionDenied):
        hint = (" (a jump connection logs in to each host with the CLI section's user and key; set "
                "CLI.host_access to hop to use the master's own ssh instead)") if jump else ""
        return AuthError("SSH", ep.host, "login", f"authentication failed for user {ep.user!r}{jump}" + hint)
    if isinstance(e, asyncssh.ChannelOpenError):
        if e.code == asyncssh.OPEN_ADMINISTRATIVELY_PROHIBITED:
            return ForwardingRefused("SSH", ep.host, "connect", f"the master {ep.via.host} refuses TCP "
                                     "forwarding (its sshd has AllowTcpForwarding no?)")
        return ConnectFailed("SSH", ep.host, "connect", f"host unreachable from the master {ep.via.host}: "
                             f"port {ep.port}: {e.reason or 'connect failed'}", transient=True)
    if isinstance(e, (asyncio.TimeoutError, TimeoutError)):
        return ConnectFailed("SSH", ep.host, "login", f"no SSH session within {timeout:g} s{jump} (the host "
                             "or the master answered too slowly; tried again)", transient=True)
    if isinstance(e, asyncssh.Error):
        return ConnectFailed("SSH", ep.host, "connect", f"{e.reason or type(e).__name__}{jump}", transient=True)
    if isinstance(e, OSError):
        return ConnectFailed("SSH", ep.host, "connect", (e.strerror or str(e) or "cannot connect") + jump,
                             transient=True)
    return ConnectFailed("SSH", ep.host, "connect", f"{type(e).__name__}: {e}{jump}", transient=True)
