"""Waiting for the cloud's agents: is what the API says about an event's ports on the hosts yet?

A notification comes when Neutron or Nova has decided, not when the agents have done: the L3
agent plumbs a router interface 1-5 s after `router.interface.create`, DHCP ports and VIF
plugging lag too (Zed test bed). After applying an event, the processor asks `unplumbed` what of
the event's scope the API binds to a host but the host does not show yet, and rescans that
scope again with bounded backoff until nothing is missing or the limit is reached (then it logs
and leaves the rest for the next scan).
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.store import Store
from listen.plan import Plan

PLUMBED_OWNERS = ("compute:", "network:dhcp", "network:router_interface", "network:router_gateway")


@dataclass
class ConvergePolicy:
    delays: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 4.0)   # ~16 s in all, then the next scan's job


def _scope(store: Store, env: str, plans: list[Plan]) -> list[dict]:
    ports: dict[str, dict] = {}
    q = {"environment": env, "type": "port"}
    for field, values in (("id", set().union(*(p.ports for p in plans))),
                          ("network_id", set().union(*(p.networks for p in plans))),
                          ("device_id", set().union(*(p.devices for p in plans)))):
        if values:
            for d in store["inventory"].find({**q, field: {"$in": sorted(values)}}):
                ports[d["id"]] = d
    return list(ports.values())


def unplumbed(store: Store, env: str, plans: list[Plan]) -> list[str]:
    """Ports of the plans' scope bound to a host by the API whose vNIC that host does not show yet."""
    plans = [p for p in plans if not p.skip and p.object_type in ("port", "router", "instance", "network", "subnet")]
    if not plans:
        return []
    ports = [p for p in _scope(store, env, plans) if p.get("binding:host_id")
             and str(p.get("device_owner") or "").startswith(PLUMBED_OWNERS) and not p.get("stale_since")]
    if not ports:
        return []
    hosts = sorted({p["binding:host_id"] for p in ports})
    macs = {(v.get("host"), (v.get("mac_address") or "").lower())
            for v in store["inventory"].find({"environment": env, "type": "vnic", "host": {"$in": hosts}},
                                             {"host": 1, "mac_address": 1})}
    instances = {p.get("device_id") for p in ports if str(p.get("device_owner")).startswith("compute:")}
    running = {d["id"] for d in store["inventory"].find(
        {"environment": env, "type": "instance", "id": {"$in": sorted(i for i in instances if i)}}, {"id": 1, "status": 1})
        if str(d.get("status") or "").upper() == "ACTIVE"}
    missing = []
    for p in ports:
        if str(p.get("device_owner")).startswith("compute:") and p.get("device_id") not in running:
            continue    # a stopped or building server has no device on its host
        if (p["binding:host_id"], (p.get("mac_address") or "").lower()) not in macs:
            missing.append(f"port {p['id']} ({p.get('device_owner')}) on {p['binding:host_id']}")
    return missing


DOWN_WORDS = ("unreachable", "cannot connect", "authentication failed", "host key", "connection refused", "timed out")


def unreachable(errors: dict[str, list[str]]) -> list[str]:
    """Hosts whose errors say they cannot be reached or logged in to (not a fetcher's own failure,
    such as a missing `ethtool`, which waiting for the agents does not concern)."""
    return sorted(h for h, msgs in errors.items() if any(w in m.lower() for m in msgs for w in DOWN_WORDS))
