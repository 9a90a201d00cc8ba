"""SSH transports for many idle connections, and an SSH channel used as the socket of a nested
transport (ProxyJump / direct-tcpip).

paramiko wakes every transport's thread ten times a second to look for shutdown; a scanner with a
jump connection per host of a 1,000-host cloud (and the simulator serving them) then spends a core
on waking up. `QuietTransport` looks every two seconds (closing a transport closes its socket,
which wakes the thread at once anyway).

paramiko closes a transport's socket from the transport's own thread; when the socket is a
channel whose outer connection is already gone, closing it raises in that thread. Here closing
a channel that can no longer say goodbye is simply done.
"""

from __future__ import annotations

import paramiko


class QuietTransport(paramiko.Transport):
    _active_check_timeout = 2.0


class ChannelSocket:
    """Delegates to the channel; `close()` never raises."""

    def __init__(self, channel: paramiko.Channel):
        self._channel = channel

    def __getattr__(self, name: str):
        return getattr(self._channel, name)

    @property
    def _closed(self) -> bool:     # read by Transport.stop_thread, as on a socket
        return self._channel.closed

    def close(self) -> None:
        try:
            self._channel.close()
        except (EOFError, OSError, paramiko.SSHException):
            pass
