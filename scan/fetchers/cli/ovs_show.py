"""`ovs-vsctl show` of a host, read and parsed once per scan.

The vEdge and its provider bridges both need it. With a full tunnel mesh it is the largest output
of a host (about 200 KB at 1,000 hosts), too large for the command cache: each fetcher asking for
it again cost the host a second transfer and the scanner a second parse. The tunnel ports of
`br-tun` (one per other host) are kept packed (app.packed): they are the vEdge's `tunnel_ports`
and its OTEP's `ports`, and no fetcher looks into them.
"""

from __future__ import annotations

from collections.abc import Sequence

from app.packed import pack
from scan.fetchers.host_commands import OVS_SHOW
from scan.parsers.ovs import vsctl_show

TUNNEL_TYPES = ("vxlan", "gre", "geneve", "stt")
TUNNEL_BRIDGE = "br-tun"


def ovs_bridges(ctx, host: str) -> dict[str, dict]:
    """{bridge: {port name: port}}, `br-tun` without its tunnel ports (`tunnel_ports`); shared between
    fetchers, so callers must not change it."""
    return _show(ctx, host)[0]


def tunnel_ports(ctx, host: str) -> Sequence[dict]:
    """The tunnel ports of the host's `br-tun`, in `ovs-vsctl show` order."""
    return _show(ctx, host)[1]


def _show(ctx, host: str) -> tuple[dict[str, dict], Sequence[dict]]:
    return ctx.memo.once(("ovs-vsctl show", host), lambda: _split(vsctl_show(ctx.cli.run(host, OVS_SHOW))))


def _split(bridges: dict[str, dict]) -> tuple[dict[str, dict], Sequence[dict]]:
    ports = bridges.get(TUNNEL_BRIDGE) or {}
    tunnels = [p for p in ports.values() if p.get("type") in TUNNEL_TYPES]
    if tunnels:
        bridges[TUNNEL_BRIDGE] = {name: p for name, p in ports.items() if p.get("type") not in TUNNEL_TYPES}
    return bridges, pack(tunnels)
