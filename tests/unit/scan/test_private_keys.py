"""A private key file reads as paramiko reads it, whatever its type and format."""

from __future__ import annotations

import paramiko
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from scan.access.private_keys import load_private_key

PEM, OPENSSH = serialization.PrivateFormat.TraditionalOpenSSL, serialization.PrivateFormat.OpenSSH


def _write(tmp_path, key, fmt, name="id", password=None):
    enc = serialization.BestAvailableEncryption(password) if password else serialization.NoEncryption()
    path = tmp_path / name
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM, fmt, enc))
    return path


@pytest.mark.parametrize("make,fmt", [
    (lambda: rsa.generate_private_key(65537, 2048), PEM),
    (lambda: rsa.generate_private_key(65537, 2048), OPENSSH),
    (lambda: ed25519.Ed25519PrivateKey.generate(), OPENSSH),
    (lambda: ec.generate_private_key(ec.SECP256R1()), PEM),
])
def test_key_is_the_one_paramiko_reads(tmp_path, make, fmt):
    path = _write(tmp_path, make(), fmt)
    ours, theirs = load_private_key(str(path)), paramiko.PKey.from_path(str(path))
    assert type(ours) is type(theirs)
    assert ours.asbytes() == theirs.asbytes()
    public = type(theirs)(data=theirs.asbytes())   # what a server knows of the key: its public half
    assert public.verify_ssh_sig(b"data", paramiko.Message(ours.sign_ssh_data(b"data").asbytes()))


def test_encrypted_key_is_refused_as_paramiko_refuses_it(tmp_path):
    path = _write(tmp_path, rsa.generate_private_key(65537, 2048), PEM, password=b"secret")
    with pytest.raises(TypeError):
        paramiko.PKey.from_path(str(path))
    with pytest.raises(TypeError):
        load_private_key(str(path))


def test_missing_file_says_so(tmp_path):
    with pytest.raises(FileNotFoundError):
        load_private_key(str(tmp_path / "absent"))
