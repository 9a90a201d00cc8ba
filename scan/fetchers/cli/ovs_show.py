"""`ovs-vsctl show` of a host, read and parsed once per scan.

The vEdge and its provider bridges both need it. With a full tunnel mesh it is the largest output
of a host (about 200 KB at 1,000 hosts), too large for the command cache: each fetcher asking for
it again cost the host a second transfer and the scanner a second parse.
"""

from __future__ import annotations

from scan.fetchers.host_commands import OVS_SHOW
from scan.parsers.ovs import vsctl_show

TUNNEL_TYPES = ("vxlan", "gre", "geneve", "stt")


def ovs_bridges(ctx, host: str) -> dict[str, dict]:
    """{bridge: {port name: port}}; shared between fetchers, so callers must not change it."""
    return ctx.memo.once(("ovs-vsctl show", host), lambda: vsctl_show(ctx.cli.run(host, OVS_SHOW)))
