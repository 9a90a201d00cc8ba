"""SFTP on the simulated hosts (asyncssh's SFTP server over our host-local files): what the
monitoring deployment uses to stage files on the master host. Paths are relative to /root;
directories exist as soon as a file is written under them (and /, /root, /etc, /tmp always)."""

from __future__ import annotations

import io
import posixpath
import stat as st

from app.asyncssh_lib import asyncssh
from simulator.sensu.state import HostLocal

_ALWAYS = ("/", "/root", "/etc", "/tmp")


class _Handle:
    """An open file: its bytes in memory, written back to the host on close if it was opened to write."""

    def __init__(self, local: HostLocal, path: str, pflags: int):
        self.local, self.path = local, path
        existing = local.read(path)   # a file that is not there reads as empty, as it always has here
        data = existing.data if existing is not None and not pflags & asyncssh.FXF_TRUNC else b""
        self.buffer = io.BytesIO(data)
        self.append = bool(pflags & asyncssh.FXF_APPEND)
        self.dirty = bool(pflags & (asyncssh.FXF_WRITE | asyncssh.FXF_CREAT))


def _attrs(size: int, mode: int, is_dir: bool = False) -> asyncssh.SFTPAttrs:
    return asyncssh.SFTPAttrs(size=size, uid=0, gid=0, atime=0, mtime=0,
                              permissions=(st.S_IFDIR | 0o755) if is_dir else (st.S_IFREG | mode))


class HostSFTP(asyncssh.SFTPServer):
    """`HostSFTP(chan, local=<HostLocal>)`, as the SSH server's `sftp` subsystem factory builds it."""

    def __init__(self, chan, *, local: HostLocal):
        super().__init__(chan)
        self.local = local

    def _path(self, path: bytes) -> str:
        return posixpath.normpath(posixpath.join("/root", path.decode("utf-8", "surrogateescape")))

    def realpath(self, path: bytes) -> bytes:
        return self._path(path).encode("utf-8", "surrogateescape")

    def open(self, path: bytes, pflags: int, attrs: asyncssh.SFTPAttrs) -> _Handle:
        return _Handle(self.local, self._path(path), pflags)

    def read(self, file: _Handle, offset: int, size: int) -> bytes:
        file.buffer.seek(offset)
        return file.buffer.read(size)

    def write(self, file: _Handle, offset: int, data: bytes) -> int:
        file.buffer.seek(0, io.SEEK_END) if file.append else file.buffer.seek(offset)
        return file.buffer.write(data)

    def close(self, file: _Handle) -> None:
        if file.dirty:
            self.local.write(file.path, file.buffer.getvalue())

    def fstat(self, file: _Handle) -> asyncssh.SFTPAttrs:
        return _attrs(len(file.buffer.getvalue()), 0o644)

    def fsetstat(self, file: _Handle, attrs: asyncssh.SFTPAttrs) -> None:
        raise asyncssh.SFTPOpUnsupported("setting attributes through a handle")

    def stat(self, path: bytes) -> asyncssh.SFTPAttrs:
        path = self._path(path)
        f = self.local.read(path)
        if f is not None:
            return _attrs(len(f.data), f.mode)
        if self.local.is_dir(path) or path in _ALWAYS:
            return _attrs(4096, 0o755, is_dir=True)
        raise asyncssh.SFTPNoSuchFile(f"No such file: {path}")

    lstat = stat

    async def scandir(self, path: bytes):
        directory = self._path(path)
        names = self.local.listdir(directory)
        if names is None and directory not in _ALWAYS:
            raise asyncssh.SFTPNoSuchFile(f"No such directory: {directory}")
        for n in names or ():
            f = self.local.read(posixpath.join(directory, n))
            attrs = _attrs(len(f.data), f.mode) if f else _attrs(4096, 0o755, is_dir=True)
            yield asyncssh.SFTPName(n.encode("utf-8", "surrogateescape"), attrs=attrs)

    def mkdir(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        pass   # directories exist as soon as a file is written under them

    def setstat(self, path: bytes, attrs: asyncssh.SFTPAttrs) -> None:
        if attrs.permissions is not None and not self.local.chmod(self._path(path), attrs.permissions & 0o7777):
            raise asyncssh.SFTPNoSuchFile(f"No such file: {self._path(path)}")

    def remove(self, path: bytes) -> None:
        if not self.local.remove(self._path(path)):
            raise asyncssh.SFTPNoSuchFile(f"No such file: {self._path(path)}")

    def rename(self, oldpath: bytes, newpath: bytes) -> None:
        f = self.local.read(self._path(oldpath))
        if f is None:
            raise asyncssh.SFTPNoSuchFile(f"No such file: {self._path(oldpath)}")
        self.local.write(self._path(newpath), f.data, f.mode)
        self.local.remove(self._path(oldpath))

    posix_rename = rename
