"""The simulated cloud's one model: every facade (REST, MySQL, SSH, APIC, AMQP) reads it.

Build:
    from simulator.model import Params, build_model
    model = build_model(Params(computes=4, instances=8, mechanism_driver="ovs", type_driver="vxlan", seed=7))
Same Params (seed included) -> same cloud, every uuid and MAC included (`model.to_json()` compares equal).

State (plain dataclasses from `simulator.model.entities`, dicts keyed by id, insertion-ordered):
    model.params                      Params (mechanism_driver ovs|linuxbridge|vpp, type_driver, release
                                      current|old, tunnel_style A|B|lo|veth, admin_user/admin_password, aci,
                                      sriov, ethtool (False: hosts without it), container_bridges ...)
    model.regions[name]               Region
    model.projects[id]                Project (admin: model.admin_project_id / model.admin_project;
                                      model.service_project_id; model.project_by_name(name))
    model.users[name]                 User (password checked by model.authenticate(user, pwd))
    model.hosts[host_id]              Host: name (THE host id), roles [controller|network|compute], region,
                                      zone, ip (management = compute_nodes.host_ip), tunnel_ip, pnics [Pnic:
                                      name, mac, role, ip, prefix, speed_mbps, pci, link_detected], os
                                      (os-release fields), hypervisor_id / hypervisor_uuid /
                                      hypervisor_hostname, vcpus, memory_mb, disk_gb, ovs_uuid,
                                      local_vlans {network id: tag}, ofports {device: datapath port number}
    model.services                    [Service]  nova services (binary, host, zone, state, status)
    model.agents[id]                  Agent: neutron agents (agent_type, binary, topic, host, configurations)
    model.aggregates[int id]          Aggregate (name, hosts, metadata)
    model.flavors[id], model.images[id], model.security_groups[id]
    model.networks[id]                Network (network_type, segmentation_id, physical_network, mtu,
                                      external, subnets [ids], dhcp_host = network node serving DHCP)
    model.subnets[id]                 Subnet (cidr, gateway_ip, enable_dhcp, allocation_pools)
    model.ports[id]                   Port (mac_address, fixed_ips, device_owner, device_id, host =
                                      binding:host_id, vif_type, vnic_type, vif_details, status)
                                      DHCP port of a network is created before any other port of it.
    model.routers[id]                 Router (host = L3 node holding qrouter-<id>, gw_port_id, gw_network_id)
    model.floating_ips[id]            FloatingIp (simulator.model.floating: address, its own port, the
                                      associated port and router; create/update/delete there)
    model.instances[uuid]             Instance (name = display name, host, node, index -> domain_name
                                      "instance-%08x", domain_id = virsh Id or None, power_state, vm_state,
                                      status, port_ids, flavor_id, image_id)
    model.deleted_instances[uuid]     soft-deleted instances (nova.instances rows with deleted != 0)

Queries: host(name), computes(region), network_hosts(region), ports_on_host(host), ports_of_network(net),
hosts_of_network(net), instances_on_host(host), agents_on_host(host), router_interfaces(router),
get(kind, id) (raises NotFound), namespace_of_port(port), ns_ifname(port), ns_bridge_port(port),
ns_uses_veth(), now(), generation (bumped by every mutation: a cheap cache key).

Host view (what host commands show): `simulator.model.plumbing.plumbing(model, host_id)` -> HostPlumbing
with devices (ifindex, mac, kind, master, veth peer, ip), ovs_bridges (ports with tag/type/options),
datapath (ovs-dpctl ports), linux_bridges (brctl), namespaces (qdhcp-/qrouter- with ns-/tap/qr-/qg-
interfaces and IPs), domains (virsh: id, name, uuid, state, interfaces with target dev/source bridge/mac),
vpp_interfaces and vpp_bridge_domains, tunnels (vxlan-<hex remote ip>, local/remote ip), tunnel_device.
Device names are prefix + port id[:11] (`simulator.model.ids.dev_name`).

Mutations (each holds the lock, bumps `generation`, then emits `Event`s to subscribers in order):
    create_server(name, networks=[net ids], ports=[port ids], flavor_id, image_id, project_id, host, ...)
    delete_server(id); stop_server(id); start_server(id); suspend_server(id); resume_server(id);
    shutdown_server(id); rename_server(id, name)
    create_network(name, project_id, ...); update_network(id, **changes); delete_network(id)
    create_subnet(network_id, cidr, name, ...); update_subnet(id, **changes); delete_subnet(id)
    create_port(network_id, ...); update_port(id, **changes); delete_port(id)
    create_router(name, project_id, external_network_id, ...); update_router(id, **changes);
    delete_router(id); add_router_interface(router_id, subnet_id|port_id);
    remove_router_interface(router_id, subnet_id|port_id)
    create_floating_ip(network_id, port_id=...); update_floating_ip(id, port_id=...|None);
    delete_floating_ip(id); with --agent-delay a new subnet's DHCP port is bound late (model.late_binding)
They raise simulator.model.errors.NotFound / Conflict / BadRequest (each with an `http_status`).

Events: `unsubscribe = model.subscribe(callback)`; callback(Event(event_type, service, host, data,
project_id, timestamp)) is called outside the lock, after the change is visible in every facade.

Where it is written: `core.Model` is the facade (state, lock, queries); its mutations by domain in
`networks`, `ports`, `routers`, `floating`, `compute`; what a bound port gets on its host in `binding`;
change events in `events`; building a cloud (hosts, agents, services, catalogue) in `build`, agents'
and services' heartbeats in `simulator.heartbeats`; a host's plumbing in `plumbing` (records in
`plumbing_records`, each mechanism driver's switch in `vswitch`, extra devices in `host_extras`).

Faults and latency: `simulator.faults.Conditions` (parsed from --latency / --fault), passed to facades
in the options, not stored in the model.
"""

from simulator.model.build import MECHANISM_DRIVERS, RELEASES, TYPE_DRIVERS, build_model, check_params
from simulator.model.core import Model
from simulator.model.entities import Event, Params
from simulator.model.errors import BadRequest, Conflict, ModelError, NotFound

__all__ = ["Model", "Params", "Event", "build_model", "check_params", "ModelError", "NotFound", "Conflict",
           "BadRequest", "MECHANISM_DRIVERS", "TYPE_DRIVERS", "RELEASES"]
