"""After the inventory: which tunnels each OTEP lacks (`tunnels_missing`), and the mesh documents
the write phase stores (app.tunnel_mesh). Both need every host's tunnels at once, so they run
once over the found OTEPs, not in a fetcher."""

from __future__ import annotations

from app.tunnel_mesh import COLLECTION, Mesh, missing, own_ip_of
from scan.fetchers.db.tunnel_endpoints import meshes as meshes_of
from scan.writer import write_meshes


def mark_missing(docs: list[dict], meshes: list[Mesh]) -> int:
    """Set `tunnels_missing` ([{remote_ip, host}]) on every found OTEP of a mesh; how many lack any."""
    by_kind = {m.overlay_type: m for m in meshes}
    groups: dict[str, dict[str, dict]] = {}
    for d in docs:
        t = d.get("tunnels") if d.get("type") == "otep" else None
        if isinstance(t, dict) and t.get("overlay_type") in by_kind:
            ip = own_ip_of(t) or d.get("ip_address")
            if ip:
                groups.setdefault(t["overlay_type"], {})[ip] = d
    lacking_any = 0
    for kind, group in groups.items():
        mesh = by_kind[kind]
        lacks = missing({ip: d["tunnels"] for ip, d in group.items()}, mesh,
                        {ip: bool(d.get("l2_population")) for ip, d in group.items()})
        for ip, d in group.items():
            d["tunnels_missing"] = [{"remote_ip": x, "host": mesh.host_of(x)} for x in lacks.get(ip, [])]
            lacking_any += bool(d["tunnels_missing"])
    return lacking_any


def settle(store, env_name: str, contexts: list, docs: list[dict], seen) -> None:
    """After a partial rescan (the listener's): store the meshes its vEdges were compared with, and say
    again which tunnels each OTEP in `docs` (the rescanned ones and the rest of the inventory) lacks, so a
    rescanned OTEP keeps its `tunnels_missing`."""
    found = {m.overlay_type: m for c in contexts for m in meshes_of(c)}
    if found:
        write_meshes(store[COLLECTION], [m.doc(env_name) for m in found.values()], seen)
        mark_missing(docs, list(found.values()))
