"""Where a floating IP shows in the store, and whether the cloud's agents have caught up with it.

A scan stores a floating IP in the router's namespace (the address as a /32 on the gateway device
`qg-…`: in the vNIC's `data`, as `ip address show` prints it) and in the instance's `network_info`
(the fixed IP's `floating_ips`). The L3 agent puts the address on the device after the event, and
Nova refreshes its cache after Neutron tells it: both lag the notification as the other agents do.
"""

from __future__ import annotations

from app.store.store import Store
from listen.converge import Lag
from listen.plan import Plan

OWNER = "network:floatingip"   # a floating IP's own port: device_id is the floating IP's id


def instance_addresses(doc: dict) -> set[str]:
    """The floating addresses in an instance's `network_info`."""
    out = set()
    for vif in doc.get("network_info") or []:
        for sub in ((vif or {}).get("network") or {}).get("subnets") or []:
            for ip in (sub or {}).get("ips") or []:
                out.update(f.get("address") for f in (ip or {}).get("floating_ips") or [] if isinstance(f, dict))
    return out - {None}


def shows(vnic: dict, address: str) -> bool:
    """A namespace vNIC's device carries the address (`inet 172.24.4.4/32 …` in `ip address show`)."""
    return f"inet {address}/" in str(vnic.get("data") or "")


def holders(docs, addresses) -> set[str]:
    """Hosts of the stored instances and namespace vNICs that show one of the addresses."""
    addresses = set(addresses)
    hosts = set()
    for d in docs:
        if d.get("type") == "instance" and instance_addresses(d) & addresses:
            hosts.add(d.get("host") or "")
        elif d.get("type") == "vnic" and d.get("vnic_type") == "vservice_vnic" and any(shows(d, a) for a in addresses):
            hosts.add(d.get("host") or "")
    return hosts - {""}


def lags(store: Store, env: str, plans: list[Plan]) -> list[Lag]:
    """What the store does not show yet of the plans' floating IPs (or still shows of those let go)."""
    wanted: dict[str, bool] = {}
    routers: set[str] = set()
    ports: set[str] = set()
    q = {"environment": env}
    fips = {p.object_id for p in plans if p.floating and not p.skip}
    exist = {d.get("device_id") for d in store["inventory"].find(
        {**q, "type": "port", "device_owner": OWNER, "device_id": {"$in": sorted(fips)}}, {"device_id": 1})}
    for p in plans:
        if p.floating and not p.skip:
            # one deleted since (its own port gone from Neutron) will not be plumbed: its delete event follows
            wanted.update({a: linked for a, linked in p.floating.items() if not linked or p.object_id in exist})
            routers |= p.devices
            ports |= p.ports
    if not wanted:
        return []
    gateways = [v for v in store["inventory"].find({**q, "type": "vnic", "vnic_type": "vservice_vnic"},
                                                   {"id": 1, "name": 1, "data": 1, "vservice_id": 1})
                if str(v.get("name") or "").startswith("qg-")]
    hosted = {v.get("vservice_id") for v in gateways}
    devices = {d.get("device_id") for d in store["inventory"].find({**q, "type": "port", "id": {"$in": sorted(ports)}},
                                                                   {"device_id": 1})}
    instances = list(store["inventory"].find({**q, "type": "instance"}, {"id": 1, "network_info": 1}))
    out = []
    for address, linked in wanted.items():
        on = [v["id"] for v in gateways if shows(v, address)]
        if linked and not on and any(str(s).endswith(f"-qrouter-{r}") for s in hosted for r in routers):
            out.append(Lag(f"floating IP {address} not on its router's gateway yet", True))
        elif not linked and on:
            out.append(Lag(f"floating IP {address} still on {', '.join(on)}", True))
        vms = [d["id"] for d in instances if address in instance_addresses(d)]
        if linked and not vms and any(d["id"] in devices for d in instances):
            out.append(Lag(f"floating IP {address} not in its instance's network_info yet", False))
        elif not linked and vms:
            out.append(Lag(f"floating IP {address} still in the network_info of {', '.join(vms)}", False))
    return out
