"""The model as table rows: (schema, table) -> list of {column: value}, for SQLite or MariaDB alike.

Values have the Python types the real columns give (int, str, datetime, None), and JSON columns hold the
exact JSON Nova and Neutron store (vim-contract §3.4): `network_info` is Nova's own VIF list format.
"""

from __future__ import annotations

import ipaddress
import json
from datetime import datetime
from functools import lru_cache

from simulator.model import floating
from simulator.model.ids import dev_name, stable_uuid

Rows = dict[tuple[str, str], list[dict]]


@lru_cache(maxsize=4096)
def _dt(text: str | None) -> datetime | None:
    """"2030-01-01T00:00:00Z" -> a naive datetime (a DATETIME column); timestamps repeat, hence the cache."""
    if not text:
        return None
    return datetime.fromisoformat(text[:19])


def _b(v: bool) -> int:
    return 1 if v else 0


def dhcp_servers(model) -> dict[str, str]:
    """subnet id -> the address of its DHCP port."""
    return {ip["subnet_id"]: ip["ip_address"] for p in model.ports.values() if p.device_owner == "network:dhcp"
            for ip in p.fixed_ips}


def network_info(model, inst, dhcp: dict[str, str] | None = None) -> list[dict]:
    """Nova's instance_info_caches.network_info for one instance (one VIF per port)."""
    dhcp_by_subnet = dhcp if dhcp is not None else dhcp_servers(model)
    out = []
    driver = model.params.mechanism_driver
    for pid in inst.port_ids:
        port = model.ports.get(pid)
        if port is None:
            continue
        net = model.networks[port.network_id]
        fips = floating.of_port(model, port.id)
        subnets = []
        for sid in net.subnets:
            sub = model.subnets[sid]
            ips = [{"address": ip["ip_address"], "type": "fixed", "version": sub.ip_version,
                    "floating_ips": [{"address": f.floating_ip_address, "type": "floating", "version": 4, "meta": {}}
                                     for f in fips if f.fixed_ip_address == ip["ip_address"]],
                    "meta": {}} for ip in port.fixed_ips if ip["subnet_id"] == sid]
            dhcp = dhcp_by_subnet.get(sid)
            subnets.append({"cidr": sub.cidr, "version": sub.ip_version,
                            "gateway": {"address": sub.gateway_ip, "type": "gateway", "version": sub.ip_version,
                                        "meta": {}},
                            "ips": ips, "routes": [], "dns": [],
                            "meta": {"dhcp_server": dhcp} if dhcp else {}})
        vif = {"id": port.id, "address": port.mac_address, "devname": dev_name("tap", port.id),
               "ovs_interfaceid": port.id if driver == "ovs" else None,
               "type": port.vif_type, "vnic_type": port.vnic_type, "active": port.status == "ACTIVE",
               "details": port.vif_details, "profile": {}, "meta": {}, "preserve_on_delete": False,
               "qbg_params": None, "qbh_params": None,
               "network": {"id": net.id, "label": net.name,
                           "bridge": "br-int" if driver == "ovs" else dev_name("brq", net.id),
                           "meta": {"injected": False, "tenant_id": net.project_id, "mtu": net.mtu},
                           "subnets": subnets}}
        out.append(vif)
    return out


def build_rows(model, style: str) -> Rows:
    """Every table's rows for the current state of `model` (take `model.lock` around it)."""
    rows: Rows = {}
    owner = "tenant_id" if style == "old" else "project_id"
    domain_row = {"id": "default", "name": "Default", "extra": "{}", "description": "The default domain",
                  "enabled": 1, "domain_id": "<<keystone.domain.root>>", "parent_id": None, "is_domain": 1}
    root_row = {"id": "<<keystone.domain.root>>", "name": "<<keystone.domain.root>>", "extra": "{}",
                "description": "", "enabled": 0, "domain_id": "<<keystone.domain.root>>", "parent_id": None,
                "is_domain": 1}
    rows[("keystone", "project")] = [root_row, domain_row] + [
        {"id": p.id, "name": p.name, "extra": "{}", "description": p.description, "enabled": _b(p.enabled),
         "domain_id": p.domain_id, "parent_id": p.parent_id, "is_domain": _b(p.is_domain)}
        for p in model.projects.values()]

    # -- neutron -----------------------------------------------------------------------------------
    # an object keeps its standardattributes id (an autoincrement in Neutron): a new port must not renumber
    # the routers after it, which a scan stores (`standard_attr_id` of a router's vService)
    numbered: dict = model.__dict__.setdefault("standard_attr_ids", {})
    standard: list[dict] = []

    def attr(kind: str, obj) -> int:
        n = numbered.setdefault((kind, obj.id), len(numbered) + 1)
        standard.append({"id": n, "resource_type": kind, "created_at": _dt(obj.created_at),
                         "updated_at": _dt(getattr(obj, "updated_at", "") or obj.created_at),
                         "description": getattr(obj, "description", "") or "",
                         "revision_number": getattr(obj, "revision_number", 1)})
        return n

    rows[("neutron", "agents")] = [
        {"id": a.id, "agent_type": a.agent_type, "binary": a.binary, "topic": a.topic, "host": a.host,
         "admin_state_up": _b(a.admin_state_up), "created_at": _dt(a.created_at), "started_at": _dt(a.started_at),
         "heartbeat_timestamp": _dt(a.heartbeat_timestamp), "description": a.description,
         "configurations": json.dumps(a.configurations, sort_keys=True), "load": 0,
         "availability_zone": a.availability_zone,
         "resource_versions": json.dumps(a.resource_versions) if a.resource_versions else None,
         "resources_synced": None if style == "old" else 1}
        for a in model.agents.values()]
    rows[("neutron", "networks")] = [
        {owner: n.project_id, "id": n.id, "name": n.name, "status": n.status, "admin_state_up": _b(n.admin_state_up),
         "vlan_transparent": None, "standard_attr_id": attr("networks", n), "availability_zone_hints": "[]",
         "mtu": n.mtu} for n in model.networks.values()]
    rows[("neutron", "networksegments")] = [
        {"id": stable_uuid(model.params.seed, f"segment/{n.id}"), "network_id": n.id,
         "network_type": n.network_type, "physical_network": n.physical_network, "segmentation_id": n.segmentation_id,
         "is_dynamic": 0, "segment_index": 0, "standard_attr_id": attr("segments", n), "name": None}
        for n in model.networks.values()]
    rows[("neutron", "subnets")] = [
        {owner: s.project_id, "id": s.id, "name": s.name, "network_id": s.network_id, "ip_version": s.ip_version,
         "cidr": str(ipaddress.ip_network(s.cidr)), "gateway_ip": s.gateway_ip, "enable_dhcp": _b(s.enable_dhcp),
         "ipv6_ra_mode": None, "ipv6_address_mode": None, "subnetpool_id": None,
         "standard_attr_id": attr("subnets", s), "segment_id": None, "in_use": 0}
        for s in model.subnets.values()]
    rows[("neutron", "ports")] = [
        {owner: p.project_id, "id": p.id, "name": p.name, "network_id": p.network_id, "mac_address": p.mac_address,
         "admin_state_up": _b(p.admin_state_up), "status": p.status, "device_id": p.device_id,
         "device_owner": p.device_owner, "standard_attr_id": attr("ports", p), "ip_allocation": "immediate"}
        for p in model.ports.values()]
    rows[("neutron", "ml2_port_bindings")] = [
        {"port_id": p.id, "host": p.bound_host(), "vif_type": p.bound_vif_type(), "vnic_type": p.vnic_type, "profile": "",
         "vif_details": json.dumps(p.vif_details, sort_keys=True) if p.vif_details else "",
         "status": "ACTIVE"} for p in model.ports.values()]
    rows[("neutron", "routers")] = [
        {owner: r.project_id, "id": r.id, "name": r.name, "status": r.status, "admin_state_up": _b(r.admin_state_up),
         "gw_port_id": r.gw_port_id, "enable_snat": _b(r.enable_snat), "standard_attr_id": attr("routers", r),
         "flavor_id": None} for r in model.routers.values()]
    rows[("neutron", "routerports")] = [
        {"router_id": p.device_id, "port_id": p.id, "port_type": p.device_owner}
        for p in model.ports.values()
        if p.device_owner in ("network:router_interface", "network:router_gateway") and p.device_id in model.routers]
    rows[("neutron", "standardattributes")] = standard
    endpoints = [h for h in model.hosts.values() if h.tunnel_ip and (h.is_compute or h.is_network)]
    ttype = model.params.type_driver
    rows[("neutron", "ml2_vxlan_endpoints")] = [
        # the Linux bridge agent leaves the UDP port unset (Zed: 0); its devices use Linux's 8472 (`ip -d link`)
        {"ip_address": h.tunnel_ip, "udp_port": 0 if model.params.mechanism_driver == "linuxbridge" else 4789,
         "host": h.name} for h in endpoints] if ttype == "vxlan" else []
    rows[("neutron", "ml2_gre_endpoints")] = [
        {"ip_address": h.tunnel_ip, "host": h.name} for h in endpoints] if ttype == "gre" else []
    rows[("neutron", "ml2_geneve_endpoints")] = []

    # -- nova ------------------------------------------------------------------------------------------
    computes = [h for h in model.hosts.values() if h.is_compute]
    running = {h.name: 0 for h in computes}
    for inst in model.instances.values():
        running[inst.host] = running.get(inst.host, 0) + 1
    rows[("nova", "compute_nodes")] = [
        {"created_at": _dt(model.params.base_time), "updated_at": _dt(model.params.base_time), "deleted_at": None,
         "id": h.hypervisor_id, "service_id": None, "vcpus": h.vcpus, "memory_mb": h.memory_mb, "local_gb": h.disk_gb,
         "vcpus_used": 0, "memory_mb_used": 512, "local_gb_used": 0, "hypervisor_type": "QEMU",
         "hypervisor_version": 7002000 if style == "current" else 2005000,
         "cpu_info": json.dumps({"arch": "x86_64", "model": "qemu64", "vendor": "AMD"}),
         "disk_available_least": h.disk_gb, "free_ram_mb": h.memory_mb - 512, "free_disk_gb": h.disk_gb,
         "current_workload": 0, "running_vms": running.get(h.name, 0), "hypervisor_hostname": h.hypervisor_hostname,
         "deleted": 0, "host_ip": h.ip, "supported_instances": '[["x86_64", "qemu", "hvm"]]', "pci_stats": None,
         "metrics": "[]", "extra_resources": None, "stats": "{}", "numa_topology": None, "host": h.name,
         "ram_allocation_ratio": 1.5, "cpu_allocation_ratio": 16.0, "uuid": h.hypervisor_uuid,
         "disk_allocation_ratio": 1.0, "mapped": 1} for h in computes]
    instances, caches = [], []
    dhcp = dhcp_servers(model)
    for inst in list(model.instances.values()) + list(model.deleted_instances.values()):
        flavor = model.flavors.get(inst.flavor_id)
        deleted = inst.index if inst.deleted else 0  # Zed: deleted = the row id
        instances.append({
            "created_at": _dt(inst.created_at), "updated_at": _dt(inst.updated_at),
            "deleted_at": _dt(inst.terminated_at) if inst.deleted else None, "id": inst.index, "internal_id": None,
            "user_id": inst.user_id, "project_id": inst.project_id, "image_ref": inst.image_id, "kernel_id": "",
            "ramdisk_id": "", "launch_index": 0, "key_name": inst.key_name, "key_data": None,
            "power_state": inst.power_state, "vm_state": inst.vm_state, "memory_mb": flavor.ram if flavor else 512,
            "vcpus": flavor.vcpus if flavor else 1, "hostname": inst.name, "host": inst.host, "user_data": None,
            "reservation_id": f"r-{inst.id[:8]}", "launched_at": _dt(inst.launched_at),
            "terminated_at": _dt(inst.terminated_at), "display_name": inst.name, "display_description": inst.name,
            "availability_zone": inst.availability_zone, "locked": 0, "os_type": None, "launched_on": inst.host,
            "instance_type_id": 1, "vm_mode": None, "uuid": inst.id, "architecture": None,
            "root_device_name": "/dev/vda", "access_ip_v4": None, "access_ip_v6": None, "config_drive": "",
            "task_state": inst.task_state, "default_ephemeral_device": None, "default_swap_device": None,
            "progress": 0, "auto_disk_config": 0, "shutdown_terminate": 0, "disable_terminate": 0,
            "root_gb": flavor.disk if flavor else 1, "ephemeral_gb": 0, "cell_name": None, "node": inst.node,
            "deleted": deleted, "locked_by": None, "cleaned": 1 if inst.deleted else 0, "ephemeral_key_uuid": None,
            "hidden": 0})
        caches.append({"created_at": _dt(inst.created_at), "updated_at": _dt(inst.updated_at),
                       "deleted_at": _dt(inst.terminated_at) if inst.deleted else None, "id": inst.index,
                       "network_info": json.dumps([] if inst.deleted else network_info(model, inst, dhcp)),
                       "instance_uuid": inst.id, "deleted": deleted})
    rows[("nova", "instances")] = instances
    rows[("nova", "instance_info_caches")] = caches
    aggs = list(model.aggregates.values())
    agg_rows = [{"created_at": _dt(a.created_at), "updated_at": None, "deleted_at": None, "id": a.id,
                 "name": a.name, "deleted": 0, "uuid": a.uuid} for a in aggs]
    host_rows, n = [], 0
    for a in aggs:
        for h in a.hosts:
            n += 1
            host_rows.append({"created_at": _dt(a.created_at), "updated_at": None, "deleted_at": None, "id": n,
                              "host": h, "aggregate_id": a.id, "deleted": 0})
    if style == "current":  # Zed: the legacy nova tables exist but are empty; nova_api holds the aggregates
        rows[("nova", "aggregates")], rows[("nova", "aggregate_hosts")] = [], []
        rows[("nova_api", "aggregates")] = [{k: r[k] for k in ("created_at", "updated_at", "id", "uuid", "name")}
                                            for r in agg_rows]
        rows[("nova_api", "aggregate_hosts")] = [{k: r[k] for k in ("created_at", "updated_at", "id", "host",
                                                                     "aggregate_id")} for r in host_rows]
        meta, n = [], 0
        for a in aggs:
            for key, value in a.metadata.items():
                n += 1
                meta.append({"created_at": _dt(a.created_at), "updated_at": None, "id": n, "aggregate_id": a.id,
                             "key": key, "value": value})
        rows[("nova_api", "aggregate_metadata")] = meta
    else:
        rows[("nova", "aggregates")], rows[("nova", "aggregate_hosts")] = agg_rows, host_rows
    return rows
