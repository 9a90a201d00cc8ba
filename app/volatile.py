"""Fields that move while the network stands still: stored, but never a change.

A real cloud's agents report every few seconds and Nova's services every ten: an unchanged Zed
cloud rescanned 30 s later gave 12 documents that differed only in these fields, and so 12 writes
and a change-log entry per scan. They are left out of what a document's content hash and its
changed fields cover (app.diffing), so such a rescan writes nothing and logs only its checkpoint.
A document written for another reason is written whole, so they are current as of the last real
change (or the first sighting); the fields that do say something (`alive`, `state`, `available`,
an agent's `configurations` but for its running count of devices) are not in the list.

One list, by object type; a path's `*` (never last) is every value of a dict or item of a list.
"""

from __future__ import annotations

#: an L2 agent's own count of the devices it wires, in its report (every 30 s): it trails the ports, which the
#: inventory holds themselves; on a two-node Linux bridge Zed it moved 11 -> 10 between two scans of an unchanged
#: cloud (a stopped server's tap gone before the first) and rewrote the agent and its host's four bridges
AGENT_DEVICES = ("configurations", "devices")

VOLATILE: dict[str, tuple[tuple[str, ...], ...]] = {
    # Neutron agents' reports (neutron.agents.heartbeat_timestamp), every report_interval (30 s)
    "network_agent": (("heartbeat_timestamp",), AGENT_DEVICES),
    "vedge": (("heartbeat_timestamp",), AGENT_DEVICES),   # an OVS vEdge is its agent's row
    "vconnector": (AGENT_DEVICES,),                  # a Linux bridge carries its agent's configurations
    # Nova services' reports (os-availability-zone/detail), every report_interval (10 s)
    "host": (("services", "*", "updated_at"),),
    "availability_zone": (("hosts", "*", "*", "updated_at"),),
    # Nova's info cache: a VIF's "active" follows the port's status, refreshed by Nova's own periodic
    # task, with no notification (Zed: flips after boot and back, the network unchanged)
    "instance": (("network_info", "*", "active"),),
}


def _without(value, path: tuple[str, ...]):
    """`value` with what `path` names left out; the parts on the path copied, the rest shared."""
    key, rest = path[0], path[1:]
    if key == "*" and rest:
        if isinstance(value, dict):
            return {k: _without(v, rest) for k, v in value.items()}
        if isinstance(value, list):
            return [_without(v, rest) for v in value]
        return value
    if not isinstance(value, dict) or key not in value:
        return value
    if not rest:
        return {k: v for k, v in value.items() if k != key}
    return {**value, key: _without(value[key], rest)}


def steady(doc: dict) -> dict:
    """The document without its volatile fields (itself when its type has none)."""
    paths = VOLATILE.get(doc.get("type")) if isinstance(doc.get("type"), str) else None
    if not paths:
        return doc
    for path in paths:
        doc = _without(doc, path)
    return doc
