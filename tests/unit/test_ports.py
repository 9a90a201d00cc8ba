"""Ports for started processes come from outside the range outgoing connections take theirs from."""

from __future__ import annotations

import socket

from tests import ports


def test_a_spare_port_is_free_and_outside_the_ephemeral_range():
    low, high = ports._ephemeral()
    for _ in range(20):
        port = ports.spare_port()
        assert not low <= port <= high and 1024 <= port < 65536
        with socket.socket() as s:
            s.bind(("127.0.0.1", port))     # free, as promised


def test_a_port_in_use_is_not_given():
    with socket.socket() as held:
        held.bind(("127.0.0.1", 0))
        taken = held.getsockname()[1]
        held.listen()
        assert not ports._free(taken)
