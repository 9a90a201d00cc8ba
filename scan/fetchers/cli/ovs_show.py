"""`ovs-vsctl show` of a host, read and parsed once per scan.

The vEdge and its provider bridges both need it. With a full tunnel mesh it is the largest output
of a host (about 200 KB at 1,000 hosts), too large for the command cache: each fetcher asking for
it again cost the host a second transfer and the scanner a second parse. The tunnel ports of
`br-tun` (one per other host) are kept as their difference from the mesh of Neutron's endpoint
table (app.tunnel_mesh): a few hundred bytes a host where the mesh is whole, not 200 KB. They are
the vEdge's and its OTEP's `tunnels`, and no fetcher looks into them; they are read without a dict
each where printed plainly (scan.parsers.ovs_tunnels).

Where the host's agent runs without l2population its ports should be the whole mesh: the host is
asked first to tell whether they are (scan.fetchers.cli.tunnel_summary) and for `ovs-vsctl show`
without them; a host where they are not is read whole, as any other.
"""

from __future__ import annotations

import logging
from collections import Counter

from app.tunnel_mesh import ShownPort, compact
from scan.access.calls import RemoteError
from scan.fetchers.cli.tunnel_summary import Expected, template_of
from scan.fetchers.db.common import agents_on
from scan.fetchers.db.tunnel_endpoints import mesh
from scan.fetchers.host_commands import OVS_SHOW, OVS_SHOW_LEAN, TUNNEL_DIGEST, TUNNEL_TEMPLATES
from scan.parsers import ParseError
from scan.parsers.ovs_tunnels import TUNNEL_TYPES, vsctl_show_split

log = logging.getLogger(__name__)

TUNNEL_BRIDGE = "br-tun"


def ovs_bridges(ctx, host: str) -> dict[str, dict]:
    """{bridge: {port name: port}}, `br-tun` without its tunnel ports (`tunnels`); shared between
    fetchers, so callers must not change it."""
    return _show(ctx, host)[0]


def tunnels(ctx, host: str, config: dict) -> dict | None:
    """The tunnel ports of the host's `br-tun` as their difference from the mesh; None where it has none
    and its agent (`config`) tunnels with no type (a tunnelling host with no port left lacks them all)."""
    found = _show(ctx, host)[1]
    kinds = config.get("tunnel_types") or []
    if found is None and kinds and str(kinds[0]).lower() in TUNNEL_TYPES:
        return compact([], mesh(ctx, str(kinds[0]).lower()), config.get("tunneling_ip") or None,
                       bool(config.get("l2_population")))
    return found


def mesh_kind(ctx, host: str) -> str | None:
    """The tunnel type of a host whose agent runs without l2population, so its ports should be the
    whole mesh of that type (read as a summary first); None otherwise."""
    config = _agent_config(ctx, host)
    kinds = config.get("tunnel_types") or []
    kind = str(kinds[0]).lower() if kinds else None
    return kind if config.get("l2_population") is False and kind in ("vxlan", "gre", "geneve") else None


def _show(ctx, host: str) -> tuple[dict[str, dict], dict | None]:
    def read() -> tuple[dict[str, dict], dict | None]:
        found = _as_mesh(ctx, host)
        return found if found is not None else _split(
            ctx, host, *vsctl_show_split(ctx.cli.run(host, OVS_SHOW), TUNNEL_BRIDGE))
    return ctx.memo.once(("ovs-vsctl show", host), read)


def _as_mesh(ctx, host: str) -> tuple[dict[str, dict], dict] | None:
    """(bridges, tunnels) of a host whose tunnel ports the host says are exactly the mesh; None where
    they are not, or it cannot say (then `ovs-vsctl show` is read whole)."""
    kind = mesh_kind(ctx, host)
    the_mesh = mesh(ctx, kind) if kind else None
    if not the_mesh:
        return None
    expected = ctx.memo.once(("tunnel digests", kind), lambda: Expected(the_mesh))
    try:
        found = template_of(ctx.cli.run(host, TUNNEL_TEMPLATES), ctx.cli.run(host, TUNNEL_DIGEST), expected,
                            _agent_config(ctx, host).get("tunneling_ip") or None)
        if found is None:
            log.debug("%s: tunnel ports are not the %s mesh, reading ovs-vsctl show whole", host, kind)
            return None
        bridges, left = vsctl_show_split(ctx.cli.run(host, OVS_SHOW_LEAN), TUNNEL_BRIDGE)
    except (RemoteError, ParseError) as e:
        log.debug("%s: no tunnel summary (%s), reading ovs-vsctl show whole", host, e)
        return None
    if left or TUNNEL_BRIDGE not in bridges:
        return None
    template, own_ip = found
    return bridges, {"overlay_type": kind, "local_ip": own_ip, "template": template, "except": [], "other": []}


def _split(ctx, host: str, bridges: dict[str, dict], found: list) -> tuple[dict[str, dict], dict | None]:
    if not found:
        return bridges, None
    kind = Counter(p.layout.key[0] if p.__class__ is ShownPort else p["type"] for p in found).most_common(1)[0][0]
    config = _agent_config(ctx, host)
    l2pop = config.get("l2_population")
    return bridges, compact(found, mesh(ctx, kind), config.get("tunneling_ip") or None,
                            None if l2pop is None else bool(l2pop))


def _agent_config(ctx, host: str) -> dict:
    """The host's Open vSwitch agent's configurations (whether it runs l2population), {} unknown."""
    if ctx.db is None:
        return {}
    found = agents_on(ctx, host, "Open vSwitch agent")
    config = found[0].get("configurations") if found else None
    return config if isinstance(config, dict) else {}
