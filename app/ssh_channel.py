"""An SSH channel used as the socket of a nested SSH transport (ProxyJump / direct-tcpip).

paramiko closes a transport's socket from the transport's own thread; when the socket is a
channel whose outer connection is already gone, closing it raises in that thread. Here closing
a channel that can no longer say goodbye is simply done.
"""

from __future__ import annotations

import paramiko


class ChannelSocket:
    """Delegates to the channel; `close()` never raises."""

    def __init__(self, channel: paramiko.Channel):
        self._channel = channel

    def __getattr__(self, name: str):
        return getattr(self._channel, name)

    def close(self) -> None:
        try:
            self._channel.close()
        except (EOFError, OSError, paramiko.SSHException):
            pass
