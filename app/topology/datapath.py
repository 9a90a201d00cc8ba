"""Where a packet may go next: the rules the path search walks by.

A packet is inside one network's segment (its VNI or VLAN): the search's state is an object and
the network it is in (`context`). A link carrying another network is closed to it; a provider
bridge or its NIC only carries networks of its physical network; an OTEP only carries overlay
networks, and below the OTEP (its NICs, the bridge holding the tunnel IP) the packet is in the
underlay, from which it does not climb into a segment again. Networks change only inside a router
(vService of type router): it has an interface on each of its networks, its gateway on the
external one. An instance is an end, never a hop; so is any other vService. A network object is
crossed only where its segment is on a wire (a VLAN or flat network between two NICs carrying it);
an overlay network is crossed between hosts through the OTEPs' tunnels (app.topology.tunnels).

`UNCOMMITTED` is the context of an end that is not in one network (a host, a NIC, a router): the
first link carrying a network commits the path to it.
"""

from __future__ import annotations

from app.topology.tunnels import TUNNEL_TYPES, network_kind

UNCOMMITTED = ""
UNDERLAY = "underlay"
PHYSICAL = ("vlan", "flat")
UNDERLAY_TYPES = frozenset({"host_pnic", "switch_pnic", "switch", "vconnector"})


def carried(link: dict) -> str | None:
    """The network a link carries, when the scanner said (attribute `network`)."""
    net = (link.get("attributes") or {}).get("network") or link.get("network")
    return net if isinstance(net, str) and net else None


def physnet(link: dict) -> str | None:
    return (link.get("attributes") or {}).get("physical_network") or link.get("physical_network")


def ends_of(link_type: str, forward: bool) -> tuple[str, str]:
    """(type here, type there) of a link walked from its source (forward) or its target."""
    a, _, b = link_type.partition("-")
    return (a, b) if forward else (b, a)


def is_router(doc: dict | None) -> bool:
    return bool(doc) and doc.get("type") == "vservice" and doc.get("service_type") == "router"


def enter(ctx: str, link: dict, forward: bool, there: dict | None, nets: dict, is_end) -> str | None:
    """The context after walking `link` (forward: from its source) in `ctx`, or None when the packet
    cannot go that way. `there` is the object reached (type, service_type; None if unknown),
    `nets` the networks by id, `is_end(object id)` whether an object is one of the path's ends."""
    lt = link.get("link_type") or ""
    here_type, there_type = ends_of(lt, forward)
    here_id, there_id = (link["source_id"], link["target_id"]) if forward else (link["target_id"], link["source_id"])
    if there_type == "instance" and not is_end(there_id):
        return None                               # a VM is an end, not a hop
    if there_type == "vservice" and not is_end(there_id):
        return UNCOMMITTED if is_router(there) else None   # only a router joins networks
    net_id = carried(link)
    if here_type == "vservice":                   # out of a router (or a vService end) into one network
        return net_id or ctx
    if ctx == UNDERLAY:
        return UNDERLAY if net_id is None and there_type in UNDERLAY_TYPES else None
    if there_type == "network" or here_type == "network":
        return _network(ctx, lt, here_type, here_id, there_id, nets, is_end)
    if net_id is not None:
        return net_id if ctx in (UNCOMMITTED, net_id) else None
    cur = nets.get(ctx)
    kind = network_kind(cur)
    pn = physnet(link)
    if pn is not None:                            # a provider bridge's links: its physical network only
        return ctx if cur is None or (kind in PHYSICAL and cur.get("provider:physical_network") == pn) else None
    if here_type == "otep" and there_type in UNDERLAY_TYPES:   # down from the OTEP into the underlay
        return UNDERLAY if kind in TUNNEL_TYPES else ctx if cur is None else None
    if there_type == "otep":
        return ctx if cur is None or kind in TUNNEL_TYPES else None
    return ctx


def _network(ctx: str, lt: str, here_type: str, here_id: str, there_id: str, nets: dict, is_end) -> str | None:
    """Into or out of a network object: the path's own end, or across a VLAN/flat wire between two NICs."""
    net_id = here_id if here_type == "network" else there_id
    if ctx not in (UNCOMMITTED, net_id):
        return None
    if is_end(net_id) or (lt == "host_pnic-network" and network_kind(nets.get(net_id)) in PHYSICAL):
        return net_id
    return None
