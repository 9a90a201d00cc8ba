"""The scanner's known-hosts store: plain and hashed names, the three policies, keys recorded on first use."""

from __future__ import annotations

import paramiko
import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from paramiko.hostkeys import HostKeys

from scan.access.known_hosts import HostKeyRefused, KnownHosts


def _key(n: int) -> paramiko.ECDSAKey:
    private = ec.derive_private_key(1000 + n, ec.SECP256R1())
    return paramiko.ECDSAKey(vals=(private, private.public_key()))


@pytest.fixture
def files(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))          # no ~/.ssh/known_hosts of the machine running the tests
    given = tmp_path / "given"
    hashed = HostKeys.hash_host("cmp-2")
    given.write_text(f"cmp-1,10.0.0.1 {_key(1).get_name()} {_key(1).get_base64()}\n"
                     f"{hashed} {_key(2).get_name()} {_key(2).get_base64()}\n"
                     "# a comment, and a line that is not a key:\nbroken line\n")
    return given, tmp_path / "own"


def test_listed_keys_pass_by_name_address_or_hashed_name(files):
    given, own = files
    known = KnownHosts("known_hosts", own, [given])
    known.check("cmp-1", _key(1))
    known.check("10.0.0.1", _key(1))
    known.check("cmp-2", _key(2))
    assert known.preferred("cmp-1", ("ssh-ed25519", "ecdsa-sha2-nistp256"))[0] == "ecdsa-sha2-nistp256"


def test_a_changed_key_is_refused_unless_accept_any(files):
    given, own = files
    for policy in ("known_hosts", "accept-new"):
        with pytest.raises(HostKeyRefused) as e:
            KnownHosts(policy, own, [given]).check("cmp-2", _key(9))
        assert "'cmp-2' does not match" in str(e.value) and e.value.known
    KnownHosts("accept-any", own, [given]).check("cmp-2", _key(9))


def test_unknown_hosts_refused_or_recorded_on_first_use(files):
    given, own = files
    with pytest.raises(HostKeyRefused) as e:
        KnownHosts("known_hosts", own, [given]).check("cmp-3", _key(3))
    assert "not found in known_hosts" in str(e.value) and "accept-new" in str(e.value)
    KnownHosts("accept-new", own, [given]).check("cmp-3", _key(3))
    again = KnownHosts("known_hosts", own, [given])       # the next scan trusts it, and only that key
    again.check("cmp-3", _key(3))
    with pytest.raises(HostKeyRefused):
        again.check("cmp-3", _key(4))
    KnownHosts("accept-any", own, [given]).check("cmp-4", _key(4))
    assert "cmp-4" not in own.read_text()                 # accept-any trusts without recording
