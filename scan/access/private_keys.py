"""Reading a private key file once, not twice.

paramiko's `PKey.from_path` decodes the file to learn the key's type, then has that type decode it
again; each decoding of an RSA key checks it (OpenSSL's RSA key check: for the simulator's 2048-bit
key, 105 ms of CPU read twice against 55 ms once, in every scan process and scan worker). An RSA
key is decoded here once, checked as before, and handed to paramiko as it is; other keys, and keys
with a certificate beside them, are read by `PKey.from_path` itself.
"""

from __future__ import annotations

from pathlib import Path

import paramiko
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa


def load_private_key(path: str | Path) -> paramiko.PKey:
    """The private key in `path` (not encrypted), as paramiko's `PKey.from_path` gives it."""
    key_path = Path(str(path)).expanduser()
    if str(path).endswith("-cert.pub") or Path(str(key_path) + "-cert.pub").exists():
        return paramiko.PKey.from_path(path)
    data = key_path.read_bytes()
    try:
        loaded = serialization.load_ssh_private_key(data=data, password=None)
    except ValueError:
        loaded = serialization.load_pem_private_key(data=data, password=None)
    if isinstance(loaded, rsa.RSAPrivateKey):
        return paramiko.RSAKey(key=loaded)
    return paramiko.PKey.from_path(path)
