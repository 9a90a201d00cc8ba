"""Whether a host's tunnel ports are exactly the mesh, told by the host in a few lines.

Without l2population every host has a port per other endpoint: `ovs-vsctl show` of a host is 200 KB at
1,000 hosts and 2 MB at 10,000, and reading every host's is hosts² (20 GB at 10,000). The host says
instead (scan.fetchers.host_commands): its interfaces' type, options and error with the remote address
starred, each distinct line once with its count (`TUNNEL_TEMPLATES`), and the md5 of its sorted
"name type remote_ip" lines (`TUNNEL_DIGEST`). When exactly one starred line has a remote address,
its count is the mesh's less the host, and the digest is the one the mesh gives (Neutron's port names,
`app.tunnel_mesh.port_name`), the ports are the mesh and that line is their template: the host's
`tunnels` are made from it, as `compact` makes them from the ports listed whole. Anything else (a
tunnel missing or extra, one port of other options, an error, IPv6 names) and the caller reads
`ovs-vsctl show` whole, so nothing a host really has is lost.
"""

from __future__ import annotations

import csv
import hashlib

from app.tunnel_mesh import Mesh, port_name
from scan.parsers.ovs import options


class Expected:
    """The digest each host of a mesh gives when its ports are the mesh: the sorted lines of every
    endpoint, hashed without the host's own (one pass of md5 over the mesh per host, in C)."""

    def __init__(self, mesh: Mesh):
        self.kind = kind = mesh.overlay_type
        lines: list | None = []
        for ip in mesh.ips:
            name = port_name(kind, ip)
            if name is None:        # IPv6: Neutron hashes the address into the name
                lines = None
                break
            lines.append((f"{name} {kind} {ip}\n".encode(), ip))
        self.readable = lines is not None
        lines = sorted(lines or ())
        self._text = b"".join(line for line, _ in lines)
        self._span: dict[str, tuple[int, int]] = {}
        at = 0
        for line, ip in lines:
            self._span[ip] = (at, at + len(line))
            at += len(line)
        self.size = len(lines)

    def digest(self, own_ip: str | None) -> tuple[int, str]:
        """(ports, md5 hex) of a host at `own_ip` that tunnels to every other endpoint."""
        start, end = self._span.get(own_ip or "", (len(self._text), len(self._text)))
        view = memoryview(self._text)
        h = hashlib.md5(view[:start])
        h.update(view[end:])
        return self.size - (end > start), h.hexdigest()


def templates(text: str) -> list[tuple[int, str]]:
    """[(count, line)] of `uniq -c`; [] where the output is not of that form (the command failed)."""
    out = []
    for line in text.splitlines():
        n, _, rest = line.strip().partition(" ")
        if not n.isdigit():
            return []
        out.append((int(n), rest))
    return out


def template_of(templates_text: str, digest_text: str, expected: Expected,
                own_ip: str | None) -> tuple[dict, str | None] | None:
    """(the `template` of the host's tunnel ports ({type, options}), the host's address) when its ports
    are exactly the mesh less the host; None when they are not, or the host's answer cannot tell.
    The address is `own_ip` (its agent's tunnelling IP) or else the template's `local_ip`, as `compact`."""
    if not expected.readable:
        return None
    rows = templates(templates_text)
    tunnels = [(n, line) for n, line in rows if "remote_ip=" in line]
    if not rows or len(tunnels) != 1:
        return None
    count, line = tunnels[0]
    cells = next(csv.reader([line]), [])
    if len(cells) != 3 or cells[2] != "[]":
        return None
    kind, parsed = cells[0], options(cells[1])
    if kind != expected.kind or parsed.get("remote_ip") != "*":
        return None
    template = {"type": kind, "options": {k: v for k, v in parsed.items() if k != "remote_ip"}}
    own_ip = own_ip or template["options"].get("local_ip")
    ports, digest = expected.digest(own_ip)
    if count != ports or ports == 0 or digest_text.split()[:1] != [digest]:
        return None
    return template, own_ip
