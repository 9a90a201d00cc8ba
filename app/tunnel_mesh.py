"""A host's tunnel ports held as its difference from the environment's mesh, not one dict per peer.

A full VXLAN mesh gives every host one tunnel port per other host: stored whole, a vEdge and its
OTEP were 2.3 MB each at 10,000 hosts, and a host that joined rewrote every one of them. Neutron
builds the mesh from one table (`ml2_<type>_endpoints`, see README "Tunnels"), so the store keeps:

* one mesh document per environment and overlay type (collection `tunnel_meshes`): the endpoints,
  `[ip_address, host]` sorted by address; a host that joins or leaves rewrites this one document;
* on each vEdge and OTEP a `tunnels` field: what every port of the host shares (`template`), which
  mesh endpoints it has no port to (`except`, without l2population) or the ones it has (`only`, with
  it), and whole any port that is not of the template or goes outside the mesh (`other`). A host whose ports match the mesh stores the same few hundred bytes
  at 10 hosts and at 10,000, so a peer joining does not change it.

`expand` gives back the ports as `ovs-vsctl show` listed them (the original's `tunnel_ports`),
`peers` the remote endpoints a host really has a tunnel to.
"""

from __future__ import annotations

import hashlib
import sys
from bisect import bisect_left
from collections import Counter
from functools import lru_cache
from collections.abc import Iterable, Iterator, Sequence
from typing import Any, NamedTuple

import bson

COLLECTION = "tunnel_meshes"
SHAPE = frozenset(("interface", "name", "options", "type"))   # the keys of a port `ovs-vsctl show` prints plainly


def mesh_id(env: str, overlay_type: str) -> str:
    return f"{env}|{overlay_type}"


def ip_key(ip: str) -> tuple:
    """Addresses in numeric order (IPv4 first), the mesh's order."""
    parts = ip.split(".")
    if len(parts) == 4 and all(p.isdigit() for p in parts):
        return (0, *map(int, parts))
    return (1, ip)


@lru_cache(maxsize=1 << 16)   # every host names the same peers
def port_name(kind: str, remote_ip: str) -> str | None:
    """Neutron's tunnel port name for an IPv4 remote (`vxlan-0a000102`); None for other addresses."""
    parts = remote_ip.split(".")
    if len(parts) != 4 or not all(p.isdigit() and int(p) < 256 for p in parts):
        return None
    return f"{kind}-" + "".join("%02x" % int(p) for p in parts)


class Mesh:
    """The endpoints of one environment's mesh of one overlay type, in address order."""

    __slots__ = ("overlay_type", "ips", "hosts", "_index")

    def __init__(self, overlay_type: str, endpoints: Iterable[tuple[str, str | None]]):
        pairs = sorted({ip: host for ip, host in endpoints if ip}.items(), key=lambda kv: ip_key(kv[0]))
        self.overlay_type = overlay_type
        self.ips: list[str] = [ip for ip, _ in pairs]
        self.hosts: list[str | None] = [host for _, host in pairs]
        self._index = {ip: i for i, ip in enumerate(self.ips)}

    @classmethod
    def from_doc(cls, doc: dict | None, overlay_type: str = "") -> "Mesh":
        doc = doc or {}
        return cls(doc.get("overlay_type") or overlay_type, ((e[0], e[1]) for e in doc.get("endpoints") or []))

    def __contains__(self, ip: str) -> bool:
        return ip in self._index

    def __len__(self) -> int:
        return len(self.ips)

    def host_of(self, ip: str) -> str | None:
        i = self._index.get(ip)
        return None if i is None else self.hosts[i]

    def doc(self, env: str) -> dict:
        """The stored mesh document (its `_hash` names its content, so an unchanged mesh is not rewritten)."""
        endpoints = [[ip, host] for ip, host in zip(self.ips, self.hosts)]
        body = {"environment": env, "overlay_type": self.overlay_type, "endpoints": endpoints}
        digest = hashlib.blake2b(bson.encode({"b": body}), digest_size=16).hexdigest()
        return {"_id": mesh_id(env, self.overlay_type), **body, "_hash": digest}


class Layout(NamedTuple):
    """The options a host's tunnel ports share, all but `remote_ip`."""
    key: tuple    # (type, the other options as (name, value) in printed order): a template's key
    at: int       # where remote_ip is printed among them


class ShownPort(NamedTuple):
    """A tunnel port `ovs-vsctl show` printed plainly (Port and Interface of one name, type, options),
    read without building its options: the host's ports whose options differ only in `remote_ip`
    share one `Layout` (scan.parsers.ovs_tunnels reads them so; a mesh is a thousand ports a host)."""
    name: str
    remote_ip: str
    layout: Layout

    def whole(self) -> dict:
        """The port as a dict, as the line parser gives it."""
        (kind, rest), at = self.layout
        options = dict(rest[:at] + (("remote_ip", self.remote_ip),) + rest[at:])
        return {"name": self.name, "interface": self.name, "type": kind, "options": options}


def _template_of(port: dict | ShownPort) -> tuple | None:
    """What a port shares with the host's other Neutron-made ports: its type and options but the
    remote address, when its name is Neutron's for that address and it has no other field. Options
    keep their order (OVS prints them sorted): this runs for every port of a mesh on every scan."""
    if port.__class__ is ShownPort:
        key = port.layout.key
        return key if port_name(key[0], port.remote_ip) == port.name else None
    options = port.get("options")
    if port.keys() != SHAPE or port["name"] != port["interface"] or type(options) is not dict:
        return None
    remote = options.get("remote_ip")
    if type(remote) is not str or port_name(port["type"], remote) != port["name"]:
        return None
    return (port["type"], tuple([kv for kv in options.items() if kv[0] != "remote_ip"]))


def _remote(port: dict | ShownPort) -> str:
    """The remote address of a port that has a template key."""
    return port.remote_ip if port.__class__ is ShownPort else port["options"]["remote_ip"]


def _whole(port: dict | ShownPort) -> dict:
    return port.whole() if port.__class__ is ShownPort else port


def compact(ports: Iterable[dict | ShownPort], mesh: Mesh, own_ip: str | None = None,
            l2pop: bool | None = None) -> dict:
    """A host's tunnel ports (dicts as `ovs-vsctl show` gave them, or `ShownPort`s) as their difference
    from `mesh` (the stored `tunnels` field).

    Without l2population the host lists the endpoints it lacks (`except`), with it the ones it has
    (`only`): either way a host joining the mesh leaves the list alone unless this host tunnels to it.
    Unknown (None): whichever is shorter."""
    ports = list(ports)
    keys = [_template_of(p) for p in ports]
    common = Counter(k for k in keys if k is not None).most_common(1)
    template = common[0][0] if common else None
    if own_ip is None and template is not None:
        own_ip = dict(template[1]).get("local_ip")
    have, other = [], []
    for port, key in zip(ports, keys):
        if key == template and key is not None and (remote := _remote(port)) in mesh and remote != own_ip:
            have.append(remote)
        else:
            other.append(_whole(port))
    out: dict[str, Any] = {"overlay_type": mesh.overlay_type, "local_ip": own_ip}
    if template is not None:
        out["template"] = {"type": template[0], "options": dict(template[1])}
    have_set = set(have)
    others = [ip for ip in mesh.ips if ip != own_ip]
    if l2pop is False or (l2pop is None and len(have_set) * 2 >= len(others)):
        out["except"] = [ip for ip in others if ip not in have_set]
    else:
        out["only"] = [sys.intern(ip) for ip in sorted(have_set, key=ip_key)]   # every host names the same peers
    if len(have_set) != len(have):   # the same remote twice: kept whole, nothing is lost
        seen: set[str] = set()
        for port, key in zip(ports, keys):
            remote = _remote(port) if key is not None else None
            if key == template and remote in have_set:
                if remote in seen:
                    other.append(_whole(port))
                seen.add(remote)
    out["other"] = other
    return out


def peer_ips(tunnels: dict, mesh: Mesh, own_ip: str | None = None) -> list[str]:
    """The mesh endpoints the host has a template port to, in mesh order."""
    if "only" in tunnels:
        return [ip for ip in tunnels["only"] if ip in mesh] if mesh.ips else list(tunnels["only"])
    missing = set(tunnels.get("except") or ())
    own_ip = own_ip or own_ip_of(tunnels)
    return [ip for ip in mesh.ips if ip != own_ip and ip not in missing]


def has(tunnels: dict, mesh: Mesh, ip: str, own_ip: str | None = None) -> bool:
    """Whether the host has a template port to `ip` (without listing them all)."""
    if "only" in tunnels:
        only = tunnels["only"]
        i = bisect_left(only, ip_key(ip), key=ip_key)
        return i < len(only) and only[i] == ip
    return ip in mesh and ip != (own_ip or own_ip_of(tunnels)) and ip not in set(tunnels.get("except") or ())


def count(tunnels: dict | None, mesh: Mesh, own_ip: str | None = None) -> int:
    if not tunnels:
        return 0
    other = len(tunnels.get("other") or ())
    if "only" in tunnels:
        return len(tunnels["only"]) + other
    return len(peer_ips(tunnels, mesh, own_ip)) + other


def own_ip_of(tunnels: dict | None) -> str | None:
    tunnels = tunnels or {}
    return tunnels.get("local_ip") or ((tunnels.get("template") or {}).get("options") or {}).get("local_ip")


def expand(tunnels: dict | None, mesh: Mesh, start: int = 0, stop: int | None = None) -> list[dict]:
    """Ports `start`..`stop` as `ovs-vsctl show` gave them (the original's `tunnel_ports`): the
    mesh's in address order, then the others; only the slice asked is built."""
    if not tunnels:
        return []
    own = own_ip_of(tunnels)
    template = tunnels.get("template") or {}
    ips = peer_ips(tunnels, mesh, own) if template else []
    total = len(ips) + len(tunnels.get("other") or ())
    stop = total if stop is None else min(stop, total)
    out = []
    for i in range(max(0, start), stop):
        if i < len(ips):
            kind, ip = template["type"], ips[i]
            name = port_name(kind, ip)
            options = dict(sorted({**template["options"], "remote_ip": ip}.items()))
            out.append({"name": name, "interface": name, "type": kind, "options": options})
        else:
            out.append(tunnels["other"][i - len(ips)])
    return out


def peers(tunnels: dict | None, mesh: Mesh) -> Iterator[tuple[str, str | None]]:
    """(remote IP, remote host or None) of every tunnel the host really has: the mesh endpoints it
    has a port to, then its other ports' remotes (`flow` for OVS's catch-all port)."""
    if not tunnels:
        return
    own = own_ip_of(tunnels)
    if tunnels.get("template"):
        for ip in peer_ips(tunnels, mesh, own):
            yield ip, mesh.host_of(ip)
    for port in tunnels.get("other") or ():
        remote = ((port.get("options") or {}) if isinstance(port.get("options"), dict) else {}).get("remote_ip")
        if remote:
            yield remote, mesh.host_of(remote)


def _membership(tunnels: dict, mesh: Mesh, own_ip: str):
    """`has` for one host as a set lookup, built once: `missing` asks it for every pair of hosts (with a
    bisect per question, 15.3 s of CPU at 1,000 hosts whose tunnels are stored as `only`; now 0.29 s)."""
    if "only" in tunnels:
        return set(tunnels["only"]).__contains__
    lacking = set(tunnels.get("except") or ())
    return lambda ip: ip in mesh and ip != own_ip and ip not in lacking


def missing(tunnels_by_ip: dict[str, dict], mesh: Mesh, l2pop: dict[str, bool]) -> dict[str, list[str]]:
    """Tunnel endpoints each host should have a port to and has not, by the host's own address.

    Without l2population the agent tunnels to every endpoint in the table, so any endpoint left out
    is missing. With it, the agent tunnels to hosts sharing a network, which the two ends agree on:
    a peer that has a port to this host while this host has none back is missing here (found by
    going through each host's ports once: the cost grows with the tunnels, not with hosts squared)."""
    member = {ip: _membership(t, mesh, ip) for ip, t in tunnels_by_ip.items()}
    out: dict[str, list[str]] = {}
    for ip, t in tunnels_by_ip.items():
        if not l2pop.get(ip):
            has_port = member[ip]
            out[ip] = list(t["except"]) if "except" in t else [x for x in mesh.ips if x != ip and not has_port(x)]
        else:
            out[ip] = []
    if any(l2pop.get(ip) for ip in tunnels_by_ip):
        for y, ty in tunnels_by_ip.items():
            for x in peer_ips(ty, mesh, y):        # y has a port to x: has x one back?
                if x in tunnels_by_ip and l2pop.get(x) and not member[x](y):
                    out[x].append(y)
    return {ip: sorted(lack, key=ip_key) for ip, lack in out.items()}


#: tunnel ports an API answer for one object lists at most (a page; `tunnel_page` asks for the next)
SERVED_PAGE = 1000
#: the field each type kept its ports in, in the original
ORIGINAL_FIELD = {"vedge": "tunnel_ports", "otep": "ports"}


def mesh_of(store, doc: dict) -> Mesh:
    """The stored mesh a vEdge's or OTEP's `tunnels` is read against."""
    kind = (doc.get("tunnels") or {}).get("overlay_type") or ""
    return Mesh.from_doc(store[COLLECTION].find_one({"_id": mesh_id(doc.get("environment") or "", kind)}), kind)


def with_ports(doc: dict, mesh: Mesh, page: int = 0, size: int = SERVED_PAGE) -> dict:
    """A vEdge or OTEP as the original served it: its tunnel ports listed in the original's field (one
    page of them), with `tunnel_ports_count` and the page; other objects unchanged."""
    field = ORIGINAL_FIELD.get(doc.get("type") or "")
    tunnels = doc.get("tunnels")
    if field is None or not isinstance(tunnels, dict):
        return doc
    total = count(tunnels, mesh)
    listed = expand(tunnels, mesh, page * size, (page + 1) * size)
    return {**doc, field: listed, "tunnel_ports_count": total, "tunnel_page": page, "tunnel_page_size": size}


def with_all_ports(store, docs: Iterable[dict]) -> list[dict]:
    """`docs` with every vEdge's and OTEP's tunnel ports listed whole in the original's field, for
    readers that go through each port (monitoring: a check per tunnel); one mesh read per mesh."""
    meshes: dict[tuple, Mesh] = {}
    out = []
    for d in docs:
        field = ORIGINAL_FIELD.get(d.get("type") or "")
        if field is not None and isinstance(d.get("tunnels"), dict) and field not in d:
            key = (d.get("environment"), d["tunnels"].get("overlay_type"))
            if key not in meshes:
                meshes[key] = mesh_of(store, d)
            d = {**d, field: expand(d["tunnels"], meshes[key])}
        out.append(d)
    return out


def tunnel_peers(doc: dict, mesh: Mesh | None = None) -> list[tuple[str, str | None]]:
    """(remote IP, remote host or None) of every tunnel a stored vEdge or OTEP really has, whichever form
    it was stored in: the mesh's difference (`tunnels`, read against `mesh`, see `mesh_of`) or the
    original's whole list (`ports` of an OTEP, `tunnel_ports` of a vEdge). The remote OTEP is `<host>-otep`."""
    mesh = mesh if mesh is not None else Mesh("", ())
    if isinstance(doc.get("tunnels"), dict):
        return list(peers(doc["tunnels"], mesh))
    out = []
    for port in doc.get(ORIGINAL_FIELD.get(doc.get("type") or "", "tunnel_ports")) or []:
        options = port.get("options") if isinstance(port, dict) and isinstance(port.get("options"), dict) else {}
        if options.get("remote_ip"):
            out.append((options["remote_ip"], mesh.host_of(options["remote_ip"])))
    return out
