"""Model objects in the JSON shapes of the real APIs (Zed = "current"; the spec's Mitaka era = "old").

Shared by the REST facades and the AMQP payloads, so a port looks the same in `GET /v2.0/ports`
and in `port.create.end`.
"""

from __future__ import annotations

import hashlib

from simulator.model import floating
from simulator.model.entities import Flavor, Image, Instance, Network, Port, Router, SecurityGroup, Subnet


def _project(d: dict, project_id: str, release: str) -> dict:
    d["tenant_id"] = project_id
    if release != "old":
        d["project_id"] = project_id
    return d


def _stamps(d: dict, obj, release: str) -> dict:
    if release != "old":
        d.update({"tags": [], "created_at": obj.created_at, "updated_at": obj.updated_at,
                  "revision_number": obj.revision_number})
    return d


def network(n: Network, release: str = "current") -> dict:
    d = {"id": n.id, "name": n.name, "admin_state_up": n.admin_state_up, "mtu": n.mtu, "status": n.status,
         "subnets": list(n.subnets), "shared": n.shared, "availability_zone_hints": [],
         "availability_zones": ["nova"], "ipv4_address_scope": None, "ipv6_address_scope": None,
         "router:external": n.external, "description": n.description,
         "port_security_enabled": n.port_security_enabled}
    _project(d, n.project_id, release)
    _stamps(d, n, release)
    d.update({"provider:network_type": n.network_type, "provider:physical_network": n.physical_network,
              "provider:segmentation_id": n.segmentation_id})
    if release == "old":
        for k in ("availability_zone_hints", "availability_zones", "ipv4_address_scope", "ipv6_address_scope",
                  "description"):
            d.pop(k, None)
    return d


def subnet(s: Subnet, release: str = "current") -> dict:
    d = {"id": s.id, "name": s.name, "network_id": s.network_id, "ip_version": s.ip_version,
         "subnetpool_id": None, "enable_dhcp": s.enable_dhcp, "ipv6_ra_mode": None, "ipv6_address_mode": None,
         "gateway_ip": s.gateway_ip, "cidr": s.cidr, "allocation_pools": [dict(p) for p in s.allocation_pools],
         "host_routes": list(s.host_routes), "dns_nameservers": list(s.dns_nameservers),
         "description": s.description, "service_types": []}
    _project(d, s.project_id, release)
    _stamps(d, s, release)
    if release == "old":
        d.pop("service_types")
        d.pop("description")
    return d


def port(p: Port, release: str = "current") -> dict:
    d = {"id": p.id, "name": p.name, "network_id": p.network_id, "mac_address": p.mac_address,
         "admin_state_up": p.admin_state_up, "status": p.status, "device_id": p.device_id,
         "device_owner": p.device_owner, "fixed_ips": [dict(f) for f in p.fixed_ips], "allowed_address_pairs": [],
         "extra_dhcp_opts": [], "security_groups": list(p.security_groups), "description": p.description,
         "binding:vnic_type": p.vnic_type, "binding:profile": {}, "binding:host_id": p.bound_host(),
         "binding:vif_type": p.bound_vif_type(), "binding:vif_details": dict(p.vif_details),
         "port_security_enabled": True, "dns_name": ""}
    _project(d, p.project_id, release)
    _stamps(d, p, release)
    if release == "old":
        d.pop("description")
    return d


def router(r: Router, model, release: str = "current") -> dict:
    gw = None
    if r.gw_port_id and r.gw_port_id in model.ports:
        gp = model.ports[r.gw_port_id]
        gw = {"network_id": r.gw_network_id, "external_fixed_ips": [dict(f) for f in gp.fixed_ips],
              "enable_snat": r.enable_snat}
    elif r.gw_network_id:
        gw = {"network_id": r.gw_network_id, "external_fixed_ips": [], "enable_snat": r.enable_snat}
    d = {"id": r.id, "name": r.name, "admin_state_up": r.admin_state_up, "status": r.status,
         "external_gateway_info": gw, "description": r.description, "availability_zones": ["nova"],
         "distributed": False, "ha": False, "availability_zone_hints": [], "routes": list(r.routes),
         "flavor_id": None}
    _project(d, r.project_id, release)
    _stamps(d, r, release)
    if release == "old":
        for k in ("availability_zones", "availability_zone_hints", "flavor_id", "description"):
            d.pop(k)
    return d


def security_group(g: SecurityGroup, release: str = "current") -> dict:
    d = {"id": g.id, "name": g.name, "description": g.description, "stateful": True,
         "security_group_rules": [dict(r) for r in g.rules]}
    _project(d, g.project_id, release)
    if release != "old":
        d.update({"tags": [], "created_at": g.created_at, "updated_at": g.created_at, "revision_number": 1})
    else:
        d.pop("stateful")
    return d


def agent(a, release: str = "current") -> dict:
    d = {"id": a.id, "agent_type": a.agent_type, "binary": a.binary, "topic": a.topic, "host": a.host,
         "admin_state_up": a.admin_state_up, "created_at": a.created_at.replace("T", " ").rstrip("Z"),
         "started_at": a.started_at.replace("T", " ").rstrip("Z"),
         "heartbeat_timestamp": a.heartbeat_timestamp.replace("T", " ").rstrip("Z"),
         "description": a.description, "resources_synced": None, "availability_zone": a.availability_zone,
         "alive": a.alive, "configurations": dict(a.configurations), "resource_versions": dict(a.resource_versions)}
    return d


# ---------------------------------------------------------------- nova
def host_id_hash(project_id: str, host: str) -> str:
    """Nova's `hostId`: sha224 of project id + host (opaque but stable per project/host)."""
    return hashlib.sha224((project_id + host).encode()).hexdigest()


def _links(base: str, kind: str, ident: str) -> list[dict]:
    root = base.rsplit("/v2", 1)[0]
    return [{"rel": "self", "href": f"{base}/{kind}/{ident}"}, {"rel": "bookmark", "href": f"{root}/{kind}/{ident}"}]


def flavor(f: Flavor, base: str, release: str = "current") -> dict:
    return {"id": f.id, "name": f.name, "ram": f.ram, "disk": f.disk, "swap": f.swap,
            "OS-FLV-EXT-DATA:ephemeral": f.ephemeral, "OS-FLV-DISABLED:disabled": False, "vcpus": f.vcpus,
            "os-flavor-access:is_public": f.is_public, "rxtx_factor": f.rxtx_factor,
            "links": _links(base, "flavors", f.id)}


def image(i: Image, base: str) -> dict:
    return {"id": i.id, "name": i.name, "status": i.status, "progress": 100, "minDisk": i.min_disk,
            "minRam": i.min_ram, "updated": i.created, "created": i.created, "OS-EXT-IMG-SIZE:size": i.size,
            "metadata": dict(i.metadata), "links": _links(base, "images", i.id)}


def server_addresses(inst: Instance, model) -> dict:
    out: dict[str, list] = {}
    for pid in inst.port_ids:
        p = model.ports.get(pid)
        if p is None:
            continue
        name = model.networks[p.network_id].name
        for f in p.fixed_ips:
            out.setdefault(name, []).append({"version": 4, "addr": f["ip_address"], "OS-EXT-IPS:type": "fixed",
                                             "OS-EXT-IPS-MAC:mac_addr": p.mac_address})
        for fip in floating.of_port(model, p.id):   # after the fixed ones, as Nova lists them
            out.setdefault(name, []).append({"version": 4, "addr": fip.floating_ip_address,
                                             "OS-EXT-IPS:type": "floating", "OS-EXT-IPS-MAC:mac_addr": p.mac_address})
    return out


def server(inst: Instance, model, base: str, release: str = "current") -> dict:
    sgs = []
    for pid in inst.port_ids:
        p = model.ports.get(pid)
        for g in (p.security_groups if p else []):
            if g in model.security_groups:
                sgs.append({"name": model.security_groups[g].name})
    return {
        "id": inst.id, "name": inst.name, "status": inst.status, "tenant_id": inst.project_id,
        "user_id": inst.user_id, "metadata": dict(inst.metadata), "hostId": host_id_hash(inst.project_id, inst.host),
        "image": {"id": inst.image_id, "links": [{"rel": "bookmark",
                                                  "href": f"{base.rsplit('/v2', 1)[0]}/images/{inst.image_id}"}]},
        "flavor": {"id": inst.flavor_id, "links": [{"rel": "bookmark",
                                                    "href": f"{base.rsplit('/v2', 1)[0]}/flavors/{inst.flavor_id}"}]},
        "created": inst.created_at, "updated": inst.updated_at, "addresses": server_addresses(inst, model),
        "accessIPv4": "", "accessIPv6": "", "links": _links(base, "servers", inst.id),
        "OS-DCF:diskConfig": "MANUAL", "progress": 0, "OS-EXT-AZ:availability_zone": inst.availability_zone,
        "config_drive": "", "key_name": inst.key_name,
        "OS-SRV-USG:launched_at": inst.launched_at.replace("Z", ".000000").replace("T", "T"),
        "OS-SRV-USG:terminated_at": inst.terminated_at, "security_groups": sgs,
        "OS-EXT-SRV-ATTR:host": inst.host, "OS-EXT-SRV-ATTR:instance_name": inst.domain_name,
        "OS-EXT-SRV-ATTR:hypervisor_hostname": inst.node, "OS-EXT-STS:task_state": inst.task_state,
        "OS-EXT-STS:vm_state": inst.vm_state, "OS-EXT-STS:power_state": inst.power_state,
        "os-extended-volumes:volumes_attached": [],
    }
