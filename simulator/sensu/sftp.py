"""SFTP on the simulated hosts (paramiko's SFTP server over our host-local files): what the
monitoring deployment uses to stage files on the master host."""

from __future__ import annotations

import io
import os
import posixpath
import stat as st

import paramiko
from paramiko.sftp import SFTP_NO_SUCH_FILE, SFTP_OK

from simulator.sensu.state import HostLocal


class _Handle(paramiko.SFTPHandle):
    def __init__(self, local: HostLocal, path: str, flags: int):
        super().__init__(flags)
        self.local, self.path = local, path
        existing = local.read(path)
        data = existing.data if existing is not None and not flags & os.O_TRUNC else b""
        self.buffer = io.BytesIO(data)
        self.readfile = self.writefile = self.buffer
        self.dirty = bool(flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))

    def close(self):
        if self.dirty:
            self.local.write(self.path, self.buffer.getvalue())
        return super().close()

    def stat(self):
        return _attrs(self.path, len(self.buffer.getvalue()), 0o644)


def _attrs(path: str, size: int, mode: int, is_dir: bool = False) -> paramiko.SFTPAttributes:
    a = paramiko.SFTPAttributes()
    a.filename = posixpath.basename(path) or "/"
    a.st_size = size
    a.st_mode = (st.S_IFDIR | 0o755) if is_dir else (st.S_IFREG | mode)
    a.st_uid = a.st_gid = 0
    a.st_mtime = a.st_atime = 0
    return a


class HostSFTP(paramiko.SFTPServerInterface):
    """`set_subsystem_handler("sftp", paramiko.SFTPServer, HostSFTP, local=<HostLocal>)`."""

    def __init__(self, server, *args, local: HostLocal, **kwargs):
        super().__init__(server, *args, **kwargs)
        self.local = local

    def _path(self, path: str) -> str:
        return posixpath.normpath(posixpath.join("/root", path))

    def canonicalize(self, path):
        return self._path(path)

    def open(self, path, flags, attr):
        return _Handle(self.local, self._path(path), flags)

    def stat(self, path):
        path = self._path(path)
        f = self.local.read(path)
        if f is not None:
            return _attrs(path, len(f.data), f.mode)
        if self.local.is_dir(path) or path in ("/", "/root", "/etc", "/tmp"):
            return _attrs(path, 4096, 0o755, is_dir=True)
        return SFTP_NO_SUCH_FILE

    lstat = stat

    def list_folder(self, path):
        path = self._path(path)
        names = self.local.listdir(path)
        if names is None:
            return [] if path in ("/", "/root", "/tmp") else SFTP_NO_SUCH_FILE
        out = []
        for n in names:
            full = posixpath.join(path, n)
            f = self.local.read(full)
            out.append(_attrs(full, len(f.data), f.mode) if f else _attrs(full, 4096, 0o755, is_dir=True))
        return out

    def mkdir(self, path, attr):
        return SFTP_OK   # directories exist as soon as a file is written under them

    def chattr(self, path, attr):
        if attr.st_mode is not None and not self.local.chmod(self._path(path), attr.st_mode & 0o7777):
            return SFTP_NO_SUCH_FILE
        return SFTP_OK

    def remove(self, path):
        return SFTP_OK if self.local.remove(self._path(path)) else SFTP_NO_SUCH_FILE

    def rename(self, oldpath, newpath):
        f = self.local.read(self._path(oldpath))
        if f is None:
            return SFTP_NO_SUCH_FILE
        self.local.write(self._path(newpath), f.data, f.mode)
        self.local.remove(self._path(oldpath))
        return SFTP_OK
