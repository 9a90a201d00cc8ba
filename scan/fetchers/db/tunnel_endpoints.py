"""The endpoints of a tunnel mesh (`ml2_<type>_endpoints`), read once per scan and shared by every
host's vEdge: each host's tunnel ports are kept as their difference from it (app.tunnel_mesh)."""

from __future__ import annotations

from app.tunnel_mesh import Mesh
from scan.fetchers.base import ScanContext
from scan.fetchers.db.common import neutron_db, rows_by_host

MEMO_KEY = "tunnel mesh"


def endpoints(ctx: ScanContext, kind: str) -> dict[str, list[dict]]:
    """The endpoint rows by host (the OTEPs read them too: one query per scan and type)."""
    table = f"{neutron_db(ctx)}.ml2_{kind}_endpoints"
    return rows_by_host(ctx, ("endpoints", kind), f"SELECT * FROM {table}", f"SELECT ml2_{kind}_endpoints")


def mesh(ctx: ScanContext, kind: str) -> Mesh:
    """The scan's mesh of `kind`; an empty one where there is no database to ask (every port is then
    kept whole)."""
    def load() -> Mesh:
        if ctx.db is None or kind not in ("vxlan", "gre", "geneve"):
            return Mesh(kind, ())
        return Mesh(kind, ((r.get("ip_address"), host) for host, rows in endpoints(ctx, kind).items()
                           for r in rows))
    return ctx.memo.once((MEMO_KEY, kind), load)


def meshes(ctx: ScanContext, docs: list[dict] = ()) -> list[Mesh]:
    """The meshes this scan read (for the write phase and the missing-tunnel check), and those the
    `tunnels` of `docs` were made from: in a distributed scan the workers read them, not this process."""
    for kind in {d["tunnels"].get("overlay_type") for d in docs if isinstance(d.get("tunnels"), dict)}:
        if kind:
            mesh(ctx, kind)
    return [m for kind in ("vxlan", "gre", "geneve", "stt")
            if (m := ctx.memo.peek((MEMO_KEY, kind))) is not None and len(m)]
