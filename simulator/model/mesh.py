"""A host's tunnels as the simulated agents build them, made when read, never held whole.

With l2population off every host tunnels to every registered endpoint: at 10,000 hosts that is 10^8
tunnel ports, and the SSH server keeps a view of every host. So the hosts share one list of endpoints
(`mesh_endpoints`), each skipping itself, and a bridge's tunnel ports are made as they are rendered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from simulator.model.ids import tunnel_port_name


@dataclass
class Tunnel:
    name: str
    type: str
    local_ip: str
    remote_ip: str
    remote_host: str


class Tunnels(Sequence):
    """A host's tunnels, each made when read. A full mesh of 10,000 hosts is 10^8 of them and every
    host view is kept: the hosts share one list of endpoints and skip their own."""

    __slots__ = ("kind", "local_ip", "peers", "skip")

    def __init__(self, kind: str, local_ip: str, peers: Sequence[tuple[str, str]], skip: frozenset[str] = frozenset()):
        self.kind, self.local_ip, self.peers = kind, local_ip, peers
        self.skip = skip      # hosts of `peers` left out (itself, a lost tunnel's peer)

    def __len__(self) -> int:
        """The peers not skipped, as iterating gives them (a skipped name need not be a peer)."""
        skip = self.skip
        return len(self.peers) - sum(1 for _, name in self.peers if name in skip)

    def __iter__(self) -> Iterator[Tunnel]:
        kind, local, skip = self.kind, self.local_ip, self.skip
        for ip, name in self.peers:
            if name not in skip:
                yield Tunnel(tunnel_port_name(kind, ip), kind, local, ip, name)

    def __getitem__(self, i):  # type: ignore[override]
        return list(self)[i]


class Mapped(Sequence):
    """`fn` over `base`, applied when read (the ports of a bridge holding a host's tunnels)."""

    __slots__ = ("base", "fn", "head")

    def __init__(self, head: list, base: Sequence, fn: Callable):
        self.head, self.base, self.fn = head, base, fn

    def __len__(self) -> int:
        return len(self.head) + len(self.base)

    def __iter__(self) -> Iterator:
        yield from self.head
        yield from map(self.fn, self.base)

    def __getitem__(self, i):  # type: ignore[override]
        return list(self)[i]

    def map(self, fn: Callable) -> "Mapped":
        """The same ports through `fn` too, still made when read."""
        inner = self.fn
        return Mapped([fn(x) for x in self.head], self.base, lambda t: fn(inner(t)))


def mapped(ports: Sequence, fn: Callable) -> Sequence:
    """`fn` over a bridge's ports: a list stays a list, lazy ports stay lazy."""
    return ports.map(fn) if isinstance(ports, Mapped) else [fn(x) for x in ports]


def mesh_endpoints(model) -> list[tuple[str, str]]:
    """(tunnel IP, host) of every registered endpoint (`ml2_<type>_endpoints`), by address; one list
    shared by every host's view until the model changes."""
    cached = getattr(model, "_mesh_endpoints", None)
    if cached is not None and cached[0] == model.generation and cached[1] == len(model.hosts):
        return cached[2]
    peers = sorted(((h.tunnel_ip, h.name) for h in model.hosts.values()
                    if h.tunnel_ip and (h.is_compute or h.is_network)), key=lambda x: x[0])
    model._mesh_endpoints = (model.generation, len(model.hosts), peers)
    return peers


