"""Waiting for the cloud's agents: is what the API says about an event's ports on the hosts yet?

A notification comes when Neutron or Nova has decided, not when the agents have done: the L3
agent plumbs a router interface 1-5 s after `router.interface.create`, DHCP ports and VIF
plugging lag too (Zed test bed). After applying an event, the processor asks `unplumbed` what of
the event's scope the API binds to a host but the host does not show yet, and rescans that
scope again with bounded backoff until nothing is missing or the limit is reached (then it logs
and leaves the rest for the next scan). Deletes lag the same way (`lingering`): the DHCP agent
removes a deleted network's namespace, the L3 agent a removed interface, after the notification.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.store.store import Store
from listen.plan import NAMESPACE_SCOPES, Plan

PLUMBED_OWNERS = ("compute:", "network:dhcp", "network:router_interface", "network:router_gateway")
#: ports an agent binds itself, and which: unbound at notification time. The L3 agent binds a router's
#: ports when it picks the router up (Zed test bed: ~3 s after `router.interface.create`); the DHCP agent
#: binds its port seconds after `subnet.create.end`, which created it unbound and DOWN (two-node Zed)
AGENT_BOUND_OWNERS = {"network:router_interface": "L3 agent", "network:router_gateway": "L3 agent",
                      "network:dhcp": "DHCP agent"}


@dataclass(frozen=True)
class Lag:
    """One thing a host does not show yet as the API says (or still shows after a delete)."""
    text: str
    in_namespace: bool    # a DHCP or router port: rescanning NAMESPACE_SCOPES is enough
    on_host: bool = True  # False: the API has not brought the port up yet, a host rescan cannot show it
    api_final: bool = False   # the store already holds the API's last word (port ACTIVE, or deleted): only the
                              # host lags, so the region need not be asked again

    def __str__(self) -> str:
        return self.text


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


def unplumbed(store: Store, env: str, plans: list[Plan]) -> list[Lag]:
    """Ports of the plans' scope bound to a host by the API whose vNIC that host does not show yet (or
    shows without the port's address: a namespace's device is there before the agent configured it),
    and the event's own agent-bound ports (a router's; a network's DHCP port) that an agent of the
    environment has not bound yet (it binds and plumbs them together)."""
    plans = [p for p in plans if not p.skip and p.object_type in ("port", "router", "instance", "network", "subnet")]
    if not plans:
        return []
    scope = [p for p in _scope(store, env, plans) if str(p.get("device_owner") or "").startswith(PLUMBED_OWNERS)
             and not p.get("stale_since")]
    missing = []
    named = set().union(*(p.ports for p in plans)) | set().union(*(p.devices for p in plans if p.object_type == "router"))
    nets = set().union(*(p.networks for p in plans if p.object_type in ("network", "subnet", "port")))
    owned = [p for p in scope if p.get("device_owner") in AGENT_BOUND_OWNERS and (
        p["id"] in named or p.get("device_id") in named   # not every unhosted router on the network
        or (p.get("device_owner") == "network:dhcp" and p.get("network_id") in nets))]
    agents = _agent_types(store, env)
    missing += [Lag(f"port {p['id']} ({p.get('device_owner')}) not bound to a host yet", True, False)
                for p in owned if not p.get("binding:host_id") and AGENT_BOUND_OWNERS[p["device_owner"]] in agents]
    if "DHCP agent" in agents:
        missing += _dhcp_ports_to_come(store, env, plans, {p.get("network_id") for p in scope
                                                           if p.get("device_owner") == "network:dhcp"})
    ports = [p for p in scope if p.get("binding:host_id")]
    if not ports:
        return missing
    hosts = sorted({p["binding:host_id"] for p in ports})
    vnics = {(v.get("host"), (v.get("mac_address") or "").lower()): v.get("IP Address")
             for v in store["inventory"].find({"environment": env, "type": "vnic", "host": {"$in": hosts}},
                                              {"host": 1, "mac_address": 1, "IP Address": 1})}
    instances = {p.get("device_id") for p in ports if str(p.get("device_owner")).startswith("compute:")}
    running = {d["id"] for d in store["inventory"].find(
        {"environment": env, "type": "instance", "id": {"$in": sorted(i for i in instances if i)}}, {"id": 1, "status": 1})
        if str(d.get("status") or "").upper() == "ACTIVE"}
    own = {p["id"] for p in owned}
    for p in ports:
        if str(p.get("device_owner")).startswith("compute:") and p.get("device_id") not in running:
            continue    # a stopped or building server has no device on its host
        in_namespace = str(p.get("device_owner")).startswith("network:")
        key = (p["binding:host_id"], (p.get("mac_address") or "").lower())
        active = str(p.get("status") or "").upper() == "ACTIVE"
        if key not in vnics:
            down = p["id"] in own and not active   # the L2 agent has not wired it
            missing.append(Lag(f"port {p['id']} ({p.get('device_owner')}) on {p['binding:host_id']}"
                               + (" not active yet" if down else ""), in_namespace, not down, active))
        elif in_namespace and _v4(p) and vnics[key] not in _v4(p):
            missing.append(Lag(f"port {p['id']} ({p.get('device_owner')}) on {p['binding:host_id']} "
                               f"without its address yet", True))   # the API may have changed the address
    return missing


def _dhcp_ports_to_come(store: Store, env: str, plans: list[Plan], served: set) -> list[Lag]:
    """Networks of subnet events with DHCP on and no DHCP port yet. The DHCP agent creates its port itself
    ~2 s after `subnet.create.end`, over RPC: Neutron sends no notification for it, nor for its binding
    (two-node Zed, measured); only the API can tell when it is there, so the region is rescanned for it."""
    made = [p for p in plans if p.object_type == "subnet" and not p.action.endswith("delete")]
    nets = set().union(*(p.networks for p in made)) - served
    if not nets:
        return []
    docs = store["inventory"].find({"environment": env, "type": "network", "id": {"$in": sorted(nets)}},
                                   {"id": 1, "subnets": 1})
    return [Lag(f"network {d['id']}: DHCP on, no DHCP port yet", True, False) for d in docs
            if any(isinstance(s, dict) and s.get("enable_dhcp") for s in _subnets(d))]


def _subnets(network: dict) -> list:
    subnets = network.get("subnets") or []
    return list(subnets.values()) if isinstance(subnets, dict) else list(subnets)


def _v4(port: dict) -> set[str]:
    return {f.get("ip_address") for f in port.get("fixed_ips") or [] if "." in str(f.get("ip_address") or "")}


def lingering(store: Store, env: str, plans: list[Plan]) -> list[Lag]:
    """What the hosts still show of what the plans' events deleted: the DHCP namespace of a deleted
    network, a device named after a deleted port (Neutron names them prefix + the port id's first
    11 characters: tap, qvo, qr-, qg-, ns-). The agents tear them down after the notification too."""
    plans = [p for p in plans if not p.skip]
    nets = set().union(*(p.networks for p in plans)) if plans else set()
    ports = set().union(*(p.ports for p in plans)) if plans else set()
    q = {"environment": env}
    gone_nets = nets - {d["id"] for d in store["inventory"].find({**q, "type": "network", "id": {"$in": sorted(nets)}},
                                                               {"id": 1})}
    gone_ports = ports - {d["id"] for d in store["inventory"].find({**q, "type": "port", "id": {"$in": sorted(ports)}},
                                                                 {"id": 1})}
    out = []
    if gone_nets:
        ids = [f"{h['id']}-qdhcp-{n}" for h in store["inventory"].find({**q, "type": "host"}, {"id": 1})
               for n in sorted(gone_nets)]
        out += [Lag(f"{d['id']} (network deleted)", True, True, True) for d in store["inventory"].find(
            {**q, "type": "vservice", "id": {"$in": ids}}, {"id": 1})]
    if gone_ports:
        tails = {p[:11] for p in gone_ports}
        vnics = store["inventory"].find({**q, "type": "vnic"}, {"id": 1, "name": 1, "vnic_type": 1})
        out += [Lag(f"{d['id']} (port deleted)", d.get("vnic_type") == "vservice_vnic", True, True) for d in vnics
                if str(d.get("name") or "")[-11:] in tails]
    return out


def _agent_types(store: Store, env: str) -> set[str]:
    """The agents the environment runs: without an L3 agent (none deployed, or another router backend)
    nobody will bind a router's ports, without a DHCP agent nobody a DHCP port."""
    return {d.get("agent_type") for d in store["inventory"].find(
        {"environment": env, "type": "network_agent", "agent_type": {"$in": sorted(set(AGENT_BOUND_OWNERS.values()))}},
        {"agent_type": 1})}


DOWN_WORDS = ("unreachable", "cannot connect", "authentication failed", "host key", "connection refused", "timed out")


def unreachable(errors: dict[str, list[str]]) -> list[str]:
    """Hosts whose errors say they cannot be reached or logged in to (not a fetcher's own failure,
    such as a missing `ethtool`, which waiting for the agents does not concern)."""
    return sorted(h for h, msgs in errors.items() if any(w in m.lower() for m in msgs for w in DOWN_WORDS))
