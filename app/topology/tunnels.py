"""Which remote OTEPs an OTEP really has a tunnel to, and which networks each tunnel carries.

The one reader of how tunnels are stored: everything that follows a tunnel (paths, graphs, the
derived OTEP-to-OTEP edges) asks this module, so the stored form can change here alone. Today
an OTEP holds its tunnels either as its difference from the environment's mesh (`tunnels`, read
against the `tunnel_meshes` document through app.tunnel_mesh: OVS) or whole in `ports`, one dict per
remote endpoint with `options.remote_ip` (Linux bridge: the VXLAN device's forwarding entries; OTEPs
stored before the mesh form). Tunnels are never stored as OTEP-to-OTEP links (a full mesh is hosts²): the edges are
computed on demand, for the OTEPs a reader reached. A new stored form changes `tunnels` (one OTEP
document to its tunnels), `TUNNEL_FIELDS` and `TunnelMesh.load` (what is read for it), nothing else.

A tunnel carries a network when both its OTEPs carry the network's segment: the overlay type
matches (a Linux bridge OTEP is one network's `vxlan-<VNI>` device) and the network is on both
hosts (where the scanner linked it: `host_pnic-network` / `otep-network`).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.keys import k
from app.store.store import Store
from app.tunnel_mesh import Mesh, expand, mesh_of

TUNNEL_TYPES = ("vxlan", "gre", "geneve", "stt")
TUNNEL_FIELDS = ("ports", "tunnels")   # the OTEP fields that hold its tunnels: what a reader of tunnels must read
IDENTITY = {"_id": 1, "id": 1, "type": 1, "host": 1, "name": 1, "object_name": 1, "ip_address": 1,
            "overlay_type": 1, "tunnel_interface": 1, "environment": 1}


@dataclass(frozen=True)
class Tunnel:
    """One tunnel as the OTEP holding it knows it."""

    port: str               # the tunnel port (OVS `vxlan-c0a8de02`; Linux bridge `vxlan-521-c0a8de02`)
    type: str               # vxlan | gre | geneve
    local_ip: str | None
    remote_ip: str


@dataclass(frozen=True)
class TunnelEdge:
    """A derived OTEP-to-OTEP edge: `source` has a tunnel to `target`."""

    source: dict            # the OTEPs (identity fields)
    target: dict
    tunnel: Tunnel


def network_kind(net: dict | None) -> str:
    return str((net or {}).get("provider:network_type") or "").lower()


def segment(net: dict | None) -> str | None:
    """`vxlan 521`, `vlan 101 on physnet1`, `flat on external`: what a hop on the network carries."""
    if not net:
        return None
    kind, seg = network_kind(net), net.get("provider:segmentation_id")
    phys = net.get("provider:physical_network")
    text = kind + (f" {seg}" if seg is not None else "")
    return text + (f" on {phys}" if phys and kind in ("vlan", "flat") else "") if kind else None


def tunnels(otep: dict, mesh: Mesh | None = None) -> list[Tunnel]:
    """The tunnels an OTEP holds: its mesh difference expanded against `mesh`, or its stored `ports`."""
    out = []
    compact = otep.get("tunnels")
    ports = expand(compact, mesh) if isinstance(compact, dict) and mesh is not None else otep.get("ports") or []
    for p in ports:
        opts = p.get("options") if isinstance(p, dict) else None
        if isinstance(opts, dict) and opts.get("remote_ip"):
            out.append(Tunnel(str(p.get("name") or p.get("interface") or ""),
                              str(p.get("type") or otep.get("overlay_type") or ""),
                              opts.get("local_ip") or otep.get("ip_address"), str(opts["remote_ip"])))
    return out


def carries(otep: dict, net: dict) -> bool:
    """Whether the OTEP can carry the network's segment at all (its overlay type; its own VNI on Linux bridge)."""
    kind = network_kind(net)
    if kind not in TUNNEL_TYPES:
        return False
    if otep.get("overlay_type") and str(otep["overlay_type"]).lower() != kind:
        return False
    device = otep.get("tunnel_interface")
    return not device or device == f"{kind}-{net.get('provider:segmentation_id')}"


class TunnelMesh:
    """The tunnels of one environment's OTEPs, read from the store as they are reached.

    OTEPs' identities (not their tunnels) are read once, by one indexed query; the tunnels of an
    OTEP when `edges` is first asked for it; the hosts of a network from the network's links."""

    def __init__(self, store: Store, env: str):
        self.store, self.env = store, env
        self._by_ip: dict[str, list[dict]] | None = None
        self._by_id: dict[str, dict] = {}
        self._routers: dict[str, set[str]] | None = None
        self._tunnels: dict[str, list[Tunnel]] = {}
        self._hosts: dict[str, set[str]] = {}
        self._meshes: dict[str, Mesh] = {}
        self.queries = 0

    def _mesh(self, otep: dict) -> Mesh | None:
        """The environment's mesh of the OTEP's overlay type, read once (None for an OTEP holding its ports)."""
        compact = otep.get("tunnels")
        if not isinstance(compact, dict):
            return None
        kind = str(compact.get("overlay_type") or "")
        if kind not in self._meshes:
            self.queries += 1
            self._meshes[kind] = mesh_of(self.store, otep)
        return self._meshes[kind]

    def _oteps_by_ip(self) -> dict[str, list[dict]]:
        if self._by_ip is None:
            self.queries += 1
            self._by_ip = {}
            for d in self.store["inventory"].find({"_env_type": k(self.env, "otep")}, {**IDENTITY, "stale_since": 1}):
                if d.get("stale_since"):
                    continue
                self._by_id[d["id"]] = d
                if d.get("ip_address"):
                    self._by_ip.setdefault(str(d["ip_address"]), []).append(d)
        return self._by_ip

    def router_hosts(self) -> dict[str, set[str]]:
        """network id -> hosts of a router with an interface on it (one read of the vServices; "*" holds the
        hosts of routers whose networks the scan did not record)."""
        if self._routers is None:
            self.queries += 1
            self._routers = {}
            for d in self.store["inventory"].find({"_env_type": k(self.env, "vservice")},
                                                  {"host": 1, "service_type": 1, "network": 1, "stale_since": 1}):
                if d.get("service_type") == "router" and not d.get("stale_since"):
                    nets = d.get("network") if isinstance(d.get("network"), list) else [d.get("network")]
                    for n in [n for n in nets if n] or ["*"]:   # "*": a router whose networks are not known
                        self._routers.setdefault(n, set()).add(d.get("host"))
        return self._routers

    def otep(self, otep_id: str) -> dict | None:
        """An OTEP's identity (id, host, IP, overlay type, device), None for any other object."""
        self._oteps_by_ip()
        return self._by_id.get(otep_id)

    def load(self, oteps: list[dict]) -> None:
        """Read the tunnels of these OTEPs (one batch) unless already read."""
        todo = [o["id"] for o in oteps if o["id"] not in self._tunnels]
        if not todo:
            return
        self.queries += len(todo)
        fields = {**IDENTITY, **{f: 1 for f in TUNNEL_FIELDS}}
        coll = self.store["inventory"]
        # one indexed equality per OTEP (the embedded store scans for `$in`); a path reaches few OTEPs
        found = {d["id"]: d for i in todo for d in coll.find({"_env_id": k(self.env, i)}, fields)}
        for i in todo:
            self._tunnels[i] = tunnels(found[i], self._mesh(found[i])) if i in found else []

    def hosts_of(self, net_id: str) -> set[str]:
        """The hosts where the scanner found the network on the datapath (its links' hosts)."""
        if net_id not in self._hosts:
            self.queries += 1
            self._hosts[net_id] = {l.get("host") for l in self.store["links"].find(
                {"_env_target_id": k(self.env, net_id)}, {"host": 1, "stale_since": 1}) if not l.get("stale_since")}
        return self._hosts[net_id]

    def remote(self, tunnel: Tunnel, net: dict | None = None) -> list[dict]:
        """The OTEPs at the tunnel's far end (for a network: the one carrying it)."""
        there = self._oteps_by_ip().get(tunnel.remote_ip, [])
        return [o for o in there if net is None or carries(o, net)]

    def edges(self, otep: dict, net: dict | None = None) -> list[TunnelEdge]:
        """The tunnels out of `otep` (loaded first), to OTEPs carrying `net` on hosts that have it (any, when None)."""
        self.load([otep])
        hosts = self.hosts_of(net["id"]) if net is not None else None
        out = []
        for t in self._tunnels.get(otep["id"], []):
            for far in self.remote(t, net):
                if hosts is None or far.get("host") in hosts:
                    out.append(TunnelEdge(otep, far, t))
        return out

    def has_tunnel(self, otep: dict, remote_ip: str | None) -> bool:
        self.load([otep])
        return any(t.remote_ip == remote_ip for t in self._tunnels.get(otep["id"], []))

    def missing(self, otep: dict, net: dict) -> list[dict]:
        """OTEPs carrying `net` on the network's other hosts that `otep` has no tunnel to (what breaks a path)."""
        self.load([otep])
        have = {t.remote_ip for t in self._tunnels.get(otep["id"], [])}
        hosts = self.hosts_of(net["id"]) - {otep.get("host")}
        return [o for ip, os in self._oteps_by_ip().items() if ip not in have and ip != otep.get("ip_address")
                for o in os if o.get("host") in hosts and carries(o, net)]


def edges_among(mesh: TunnelMesh, oteps: list[dict], nets: list[dict]) -> list[dict]:
    """The tunnels between these OTEPs as derived links, one per pair (`one_way` when only one side has
    it), each with the networks of `nets` it carries (both hosts have the network, both OTEPs its segment)."""
    oteps = [o for o in oteps if o.get("type") == "otep" and o.get("ip_address")]
    mesh.load(oteps)
    by_ip: dict[str, list[dict]] = {}
    for o in oteps:
        by_ip.setdefault(str(o["ip_address"]), []).append(o)
    pairs: dict[tuple[str, str], list[TunnelEdge]] = {}
    for o in oteps:
        for t in mesh._tunnels.get(o["id"], []):
            for far in by_ip.get(t.remote_ip, []):
                if far["id"] != o["id"] and (not o.get("tunnel_interface") or
                                             far.get("tunnel_interface") == o.get("tunnel_interface")):
                    pairs.setdefault(tuple(sorted((o["id"], far["id"]))), []).append(TunnelEdge(o, far, t))
    out = []
    for edges in pairs.values():
        e = edges[0]
        hosts = {e.source.get("host"), e.target.get("host")}
        carried = [n.get("object_name") or n.get("name") or n["id"] for n in nets
                   if carries(e.source, n) and carries(e.target, n) and hosts <= mesh.hosts_of(n["id"])]
        link = edge_link(e, carried)
        link["attributes"]["one_way"] = len(edges) == 1
        out.append(link)
    return out


def edge_link(edge: TunnelEdge, networks: list[str] | None = None) -> dict:
    """The edge in a link's shape (for paths, graphs and exports); `derived` says it is not stored."""
    s, t = edge.source, edge.target
    return {"_id": f"tunnel|{s['id']}|{t['id']}", "source": s.get("_id"), "target": t.get("_id"),
            "source_id": s["id"], "target_id": t["id"], "link_type": "otep-otep", "link_name": edge.tunnel.port,
            "host": s.get("host"), "state": "up", "derived": True, "implicit": False,
            "attributes": {"overlay_type": edge.tunnel.type, "local_ip": edge.tunnel.local_ip,
                           "remote_ip": edge.tunnel.remote_ip, **({"networks": networks} if networks else {})}}
