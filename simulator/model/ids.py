"""Deterministic identifiers: the same seed gives the same uuids, MACs and device MACs.

`Ids` draws from one seeded `random.Random` (creation order matters, as in a real cloud);
`stable_mac` hashes a key instead, for devices whose MAC must not depend on call order
(qbr/qvb/qvo veths, bridges), so a host view computed twice is identical.
"""

from __future__ import annotations

import hashlib
import random
import uuid
from functools import lru_cache


class Ids:
    """Seeded source of uuids, 32-hex ids and OpenStack port MACs (never uuid4())."""

    def __init__(self, seed: int):
        self.seed = seed
        self._rng = random.Random(seed)
        self._macs: set[str] = set()

    def uuid(self) -> str:
        return str(uuid.UUID(int=self._rng.getrandbits(128), version=4))

    def hex32(self) -> str:
        return uuid.UUID(int=self._rng.getrandbits(128), version=4).hex

    def port_mac(self) -> str:
        """A unique `fa:16:3e:xx:xx:xx` MAC, as Neutron's default base_mac."""
        while True:
            mac = "fa:16:3e:%02x:%02x:%02x" % tuple(self._rng.getrandbits(8) for _ in range(3))
            if mac not in self._macs:
                self._macs.add(mac)
                return mac

    def reserve_mac(self, mac: str) -> None:
        self._macs.add(mac)

    def release_mac(self, mac: str) -> None:
        self._macs.discard(mac)

    def randint(self, a: int, b: int) -> int:
        return self._rng.randint(a, b)


def stable_mac(seed: int, key: str, oui: str = "") -> str:
    """A locally administered unicast MAC derived from (seed, key) only."""
    h = hashlib.blake2b(f"{seed}|{key}".encode(), digest_size=6).digest()
    if oui:
        return oui + ":" + ":".join("%02x" % b for b in h[3:])
    first = (h[0] & 0xFC) | 0x02  # locally administered, unicast
    return ":".join("%02x" % b for b in (first, *h[1:]))


def stable_uuid(seed: int, key: str) -> str:
    h = hashlib.blake2b(f"{seed}|{key}".encode(), digest_size=16).digest()
    return str(uuid.UUID(bytes=h, version=4))


def dev_name(prefix: str, port_id: str) -> str:
    """Device name of a port: prefix + the first 11 characters of its id (`tap3f2a1b4c-5d`)."""
    return prefix + port_id[:11]


def bridge_id(mac: str) -> str:
    """Linux bridge id as `brctl show` prints it: priority 8000 + MAC without colons."""
    return "8000." + mac.replace(":", "")


@lru_cache(maxsize=1 << 14)   # every host of a full mesh names the same peers
def tunnel_port_name(kind: str, remote_ip: str) -> str:
    """OVS tunnel port name: `vxlan-` + 8 hex digits of the remote IPv4 (192.168.2.11 -> vxlan-c0a8020b)."""
    return f"{kind}-" + "".join("%02x" % int(o) for o in remote_ip.split("."))
