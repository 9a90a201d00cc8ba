"""Build a consistent cloud from `Params`: deterministic for a given seed, identifiers included."""

from __future__ import annotations

from datetime import datetime
from typing import Callable

from simulator.model.binding import ifindex, ofport
from simulator.model.core import Model
from simulator.model.entities import (
    Agent, Aggregate, Flavor, Host, Image, Params, Pnic, Project, Region, SecurityGroup, Service, User,
)
from simulator.model.errors import BadRequest
from simulator.model.ids import stable_mac

MECHANISM_DRIVERS = ("ovs", "linuxbridge", "vpp")
TYPE_DRIVERS = ("vxlan", "vlan", "gre", "flat")
RELEASES = ("current", "old")
_REGION_WORDS = ("One", "Two", "Three", "Four", "Five", "Six", "Seven", "Eight", "Nine", "Ten")

OS_RELEASE = {
    "current": {"NAME": "Debian GNU/Linux", "VERSION": "12 (bookworm)", "ID": "debian", "ID_LIKE": "",
                "PRETTY_NAME": "Debian GNU/Linux 12 (bookworm)", "VERSION_ID": "12", "ARCHITECTURE": "x86_64"},
    "old": {"NAME": "Ubuntu", "VERSION": "16.04.6 LTS (Xenial Xerus)", "ID": "ubuntu", "ID_LIKE": "debian",
            "PRETTY_NAME": "Ubuntu 16.04.6 LTS", "VERSION_ID": "16.04", "ARCHITECTURE": "x86_64"},
}


def region_name(i: int) -> str:
    return "Region" + (_REGION_WORDS[i] if i < len(_REGION_WORDS) else str(i + 1))


def check_params(p: Params) -> None:
    """Refuse impossible clouds with one clear line (the CLI turns it into exit code 2)."""
    if p.mechanism_driver not in MECHANISM_DRIVERS:
        raise BadRequest(f"unknown mechanism driver {p.mechanism_driver!r} (choose from {', '.join(MECHANISM_DRIVERS)})")
    if p.type_driver not in TYPE_DRIVERS:
        raise BadRequest(f"unknown type driver {p.type_driver!r} (choose from {', '.join(TYPE_DRIVERS)})")
    if p.release not in RELEASES:
        raise BadRequest(f"unknown release {p.release!r} (choose from {', '.join(RELEASES)})")
    for name in ("computes", "controllers", "network_nodes", "instances", "networks", "routers", "regions"):
        if getattr(p, name) < 0:
            raise BadRequest(f"--{name.replace('_', '-')} must not be negative")
    if p.controllers < 1:
        raise BadRequest("--controllers must be at least 1 (Keystone, Nova and Neutron run there)")
    if p.regions < 1:
        raise BadRequest("--regions must be at least 1")
    if p.regions > p.controllers:
        raise BadRequest(f"{p.regions} regions need at least {p.regions} controllers (one per region)")
    if p.projects < 1:
        raise BadRequest("--projects must be at least 1 (the admin project)")
    if p.instances and not p.computes:
        raise BadRequest(f"{p.instances} instances cannot run on 0 compute hosts")
    if p.instances and not p.networks:
        raise BadRequest(f"{p.instances} instances need at least one network")
    if p.network_nodes > p.controllers + p.computes:
        raise BadRequest(f"{p.network_nodes} network nodes but only {p.controllers + p.computes} hosts to hold them")
    if p.routers and not p.network_nodes:
        raise BadRequest("routers need at least one network node (--network-nodes)")
    if p.type_driver == "gre" and p.mechanism_driver == "linuxbridge":
        raise BadRequest("the linuxbridge mechanism driver does not support gre")
    if p.tunnel_style not in ("A", "B", "lo", "veth"):
        raise BadRequest("--tunnel-style must be A, B, lo or veth")
    if p.datapath not in ("system", "netdev"):
        raise BadRequest("--datapath must be system or netdev")
    if p.mixed_networks and (p.mechanism_driver == "vpp" or p.type_driver not in ("vxlan", "gre")):
        raise BadRequest("--mixed-networks needs the ovs or linuxbridge driver and a vxlan or gre type driver")
    if p.agent_delay < 0:
        raise BadRequest("--agent-delay must not be negative")


def build_model(params: Params, clock: Callable[[], datetime] | None = None) -> Model:
    """A new cloud for these parameters; no notifications are emitted while building."""
    check_params(params)
    m = Model(params, clock)
    with m.lock:
        _identity(m)
        _hosts(m)
        _catalogue(m)
        _networks(m)
        _instances(m)
        m._building = False
    return m


def _identity(m: Model) -> None:
    p = m.params
    for i in range(p.regions):
        m.regions[region_name(i)] = Region(region_name(i))
    admin = Project(m.ids.hex32(), "admin", "Bootstrap project for initializing the cloud.")
    m.projects[admin.id] = admin
    m.admin_project_id = admin.id
    service = Project(m.ids.hex32(), "service" if p.release == "current" else "services", "")
    m.projects[service.id] = service
    m.service_project_id = service.id
    for k in range(1, p.projects):
        proj = Project(m.ids.hex32(), "demo" if k == 1 else f"demo{k}", f"demo project {k}")
        m.projects[proj.id] = proj
    m.users["admin"] = User(m.ids.hex32(), p.admin_user, p.admin_password, default_project_id=admin.id)
    for proj in m.projects.values():
        if proj.id != service.id:
            m.security_groups[sg.id] = (sg := SecurityGroup(m.ids.uuid(), "default", proj.id, "Default security group",
                                                            created_at=p.base_time))
            sg.rules = [
                {"id": m.ids.uuid(), "direction": d, "ethertype": e, "protocol": None, "port_range_min": None,
                 "port_range_max": None, "remote_ip_prefix": None,
                 "remote_group_id": sg.id if d == "ingress" else None, "security_group_id": sg.id,
                 "tenant_id": proj.id, "project_id": proj.id, "description": None}
                for d in ("ingress", "egress") for e in ("IPv4", "IPv6")]


def _host_pnics(m: Model, name: str, k: int, roles: list[str]) -> tuple[list[Pnic], str, str | None]:
    p = m.params
    seed = p.seed
    mgmt_ip = f"192.168.{k // 250}.{k % 250 + 2}"
    tunnel_ip = f"172.16.{k // 250}.{k % 250 + 2}" if p.type_driver in ("vxlan", "gre") else None
    vpp = p.mechanism_driver == "vpp"
    data_nic = "TenGigabitEthernet5/0/0" if vpp else "eth1"
    on_nic = tunnel_ip and (p.tunnel_style == "B" or vpp)
    pnics = [Pnic("eth0", stable_mac(seed, f"{name}/eth0", "52:54:00"), "management", mgmt_ip, 16, 1000,
                  "0000:00:03.0"),
             Pnic(data_nic, stable_mac(seed, f"{name}/{data_nic}", "52:54:00"),
                  "tunnel" if tunnel_ip else "provider", tunnel_ip if on_nic else None, 16 if on_nic else None,
                  10000, "0000:00:04.0")]
    if p.mixed_networks:   # physnet1 (VLAN provider networks) has a NIC of its own
        pnics.append(Pnic("eth3", stable_mac(seed, f"{name}/eth3", "52:54:00"), "provider", None, None, 10000,
                          "0000:00:06.0"))
    if "network" in roles:
        pnics.append(Pnic("eth2", stable_mac(seed, f"{name}/eth2", "52:54:00"), "external", None, None, 10000,
                          "0000:00:05.0"))
    if p.sriov and "compute" in roles:
        pnics.append(Pnic("enp5s0f1", stable_mac(seed, f"{name}/enp5s0f1", "52:54:00"), "sriov", None, None,
                          10000, "0000:05:00.1"))
    return pnics, mgmt_ip, tunnel_ip


def _hosts(m: Model) -> None:
    p = m.params
    regions = list(m.regions)
    specs: list[tuple[str, list[str], str]] = []
    for i in range(p.controllers):
        specs.append((f"ctl-{i + 1}", ["controller"], regions[i % len(regions)]))
    for i in range(p.computes):
        specs.append((f"cmp-{i + 1}", ["compute"], regions[i % len(regions)]))
    # network roles go to controllers first (controller + network node, as in the baseline), then computes
    for i in range(p.network_nodes):
        specs[i][1].append("network")
    for k, (name, roles, region) in enumerate(specs):
        _host(m, k, name, roles, region)


def _host(m: Model, k: int, name: str, roles: list[str], region: str) -> Host:
    p = m.params
    pnics, ip, tunnel_ip = _host_pnics(m, name, k, roles)
    zone = "nova" if "compute" in roles else "internal"
    host = Host(name=name, roles=roles, region=region, zone=zone, ip=ip, tunnel_ip=tunnel_ip,
                tunnel_prefix=32 if p.tunnel_style == "lo" else 16, pnics=pnics, os=dict(OS_RELEASE[p.release]),
                ovs_uuid=m.ids.uuid(), machine_name=f"node{k + 1}" if p.machine_names else None)
    host.bridge_mappings, host.bridge_uplinks = _mappings(p, host_roles=roles)
    if "compute" in roles:
        host.hypervisor_id = 1 + max((h.hypervisor_id or 0 for h in m.hosts.values()), default=0)
        host.hypervisor_hostname = host.machine_name or name
        host.hypervisor_uuid = m.ids.uuid()
    for dev in ["lo"] + [n.name for n in pnics]:
        ifindex(host, dev)
    m.hosts[name] = host
    if "controller" in roles:
        for binary in ("nova-scheduler", "nova-conductor"):
            m.services.append(Service(len(m.services) + 1, binary, name, "internal", updated_at=p.base_time))
    if "compute" in roles:
        m.services.append(Service(len(m.services) + 1, "nova-compute", name, zone, updated_at=p.base_time))
    _agents(m, host)
    _base_devices(m, host)
    return host


def add_compute(m: Model) -> Host:
    """A compute host joining the running cloud (no instance yet): its agents register, so it joins
    the tunnel mesh of every host (l2population off) or of none until it has a port (on)."""
    with m._mutation():
        n = sum(1 for h in m.hosts.values() if h.is_compute)
        name = f"cmp-{n + 1}"
        while name in m.hosts:
            n += 1
            name = f"cmp-{n + 1}"
        regions = list(m.regions)
        return _host(m, len(m.hosts), name, ["compute"], regions[n % len(regions)])


def _mappings(p: Params, host_roles: list[str]) -> tuple[dict[str, str], dict[str, list[str]]]:
    """physnet -> bridge (OVS) or interface (LXB), and each OVS bridge's physical ports.

    physnet1 leaves by the data NIC when nothing tunnels, by its own NIC in a mixed cloud, and by
    no NIC at all otherwise (a provider bridge without a physical port, as on the Zed test bed);
    flat tenant networks each need a physical network: physnet2... get bridges without ports."""
    network = "network" in host_roles
    tunnels = p.type_driver in ("vxlan", "gre")
    nic1 = "eth3" if p.mixed_networks else ("eth1" if not tunnels else None)
    if p.mechanism_driver == "linuxbridge":
        ifmap = {"physnet1": nic1 or "eth1"} | ({"external": "eth2"} if network else {})
        return ifmap, {}
    mappings = {"physnet1": "br-phys"}
    uplinks: dict[str, list[str]] = {"br-phys": [nic1] if nic1 else []}
    if p.type_driver == "flat":
        for k in range(2, max(2, p.networks) + 1):
            mappings[f"physnet{k}"] = f"br-phys{k}"
            uplinks[f"br-phys{k}"] = []
    if network:
        mappings["external"] = "br-ex"
        uplinks["br-ex"] = ["eth2"]
    return mappings, uplinks


def _agents(m: Model, host: Host) -> None:
    p = m.params
    t = p.base_time

    def add(agent_type: str, binary: str, topic: str, conf: dict, zone: str | None = None) -> None:
        a = Agent(m.ids.uuid(), agent_type, binary, topic, host.name, conf, zone, created_at=t, started_at=t,
                  heartbeat_timestamp=t)
        m.agents[a.id] = a
        m._agents_by_host[a.host][a.id] = None

    tunnels = [p.type_driver] if p.type_driver in ("vxlan", "gre") else []
    if p.mechanism_driver == "ovs" and (host.is_compute or host.is_network):
        add("Open vSwitch agent", "neutron-openvswitch-agent", "N/A",
            {"arp_responder_enabled": True, "bridge_mappings": dict(host.bridge_mappings),
             "datapath_type": p.datapath,
             "devices": 0, "enable_distributed_routing": False, "extensions": [], "in_distributed_mode": False,
             "integration_bridge": "br-int", "l2_population": p.l2_population, "log_agent_heartbeats": False,
             "ovs_hybrid_plug": True, "tunnel_types": tunnels,
             "tunneling_ip": host.tunnel_ip if tunnels else "", "vhostuser_socket_dir": "/var/run/openvswitch"})
    if p.mechanism_driver == "linuxbridge" and (host.is_compute or host.is_network):
        ifmap = dict(host.bridge_mappings)
        add("Linux bridge agent", "neutron-linuxbridge-agent", "N/A",
            {"bridge_mappings": {}, "devices": 0, "extensions": [], "interface_mappings": ifmap,
             "l2_population": p.l2_population, "tunnel_types": tunnels, "tunneling_ip": host.tunnel_ip or ""})
    if p.sriov and host.is_compute:
        add("NIC Switch agent", "neutron-sriov-nic-agent", "N/A",
            {"device_mappings": {"physnet2": ["enp5s0f1"]}, "devices": 0, "extensions": []})
    if host.is_network:
        driver = {"ovs": "openvswitch", "linuxbridge": "linuxbridge", "vpp": "vpp"}[p.mechanism_driver]
        add("DHCP agent", "neutron-dhcp-agent", "dhcp_agent",
            {"dhcp_driver": "neutron.agent.linux.dhcp.Dnsmasq", "dhcp_lease_duration": 86400,
             "log_agent_heartbeats": False, "networks": 0, "ports": 0, "subnets": 0}, "nova")
        add("L3 agent", "neutron-l3-agent", "l3_agent",
            {"agent_mode": "legacy", "ex_gw_ports": 0, "external_network_bridge": "", "floating_ips": 0,
             "gateway_external_network_id": "", "handle_internal_only_routers": True, "interface_driver": driver,
             "interfaces": 0, "log_agent_heartbeats": False, "routers": 0}, "nova")
        add("Metadata agent", "neutron-metadata-agent", "N/A",
            {"log_agent_heartbeats": False, "metadata_proxy_socket": "/var/lib/neutron/metadata_proxy",
             "nova_metadata_host": next(h for h in m.hosts.values() if h.is_controller).ip,
             "nova_metadata_ip": next(h for h in m.hosts.values() if h.is_controller).ip,
             "nova_metadata_port": 8775})


def _base_devices(m: Model, host: Host) -> None:
    """ifindexes and datapath ports of the devices a host has before any VM or namespace."""
    p = m.params
    if p.mechanism_driver == "ovs" and (host.is_compute or host.is_network):
        for dev in ("ovs-system", "br-int"):
            ifindex(host, dev)
        ofport(host, "ovs-system")
        host.ofports["ovs-system"] = 0
        host.next_ofport = 0
        ofport(host, "br-int")
        if p.type_driver in ("vxlan", "gre"):
            ifindex(host, "br-tun")
            ofport(host, "br-tun")
            ofport(host, f"{p.type_driver}_sys_4789")
            if p.tunnel_style == "A":
                ifindex(host, "br-mesh")
        for br in sorted(set(host.bridge_mappings.values()), key=lambda b: (b != "br-phys", b)):
            ifindex(host, br)
            ofport(host, br)
            for nic in host.bridge_uplinks.get(br, []):
                ofport(host, nic)
            ofport(host, f"int-{br}")
            ofport(host, f"phy-{br}")
    elif p.mechanism_driver == "linuxbridge" and p.tunnel_style == "A" and host.tunnel_ip:
        ifindex(host, "br-mesh")
    if host.is_compute:
        ifindex(host, "virbr0")


def _catalogue(m: Model) -> None:
    p = m.params
    for name, ram, vcpus, disk in (("m1.tiny", 512, 1, 1), ("m1.small", 2048, 1, 20), ("m1.medium", 4096, 2, 40)):
        f = Flavor(m.ids.uuid(), name, ram, vcpus, disk)
        m.flavors[f.id] = f
    img = Image(m.ids.uuid(), "cirros-0.6.2-x86_64-disk", created=p.base_time, size=21430272)
    m.images[img.id] = img
    agg_id = 0
    for region in m.regions:
        hosts = [h.name for h in m.computes(region)]
        if hosts:
            agg_id += 1
            m.aggregates[agg_id] = Aggregate(agg_id, f"agg{agg_id}", region, None, hosts, {"ssd": "true"},
                                             m.ids.uuid(), p.base_time)


def _networks(m: Model) -> None:
    p = m.params
    tenants = [pr.id for pr in m.projects.values() if pr.id != m.service_project_id]
    tenants = tenants[1:] or tenants  # admin owns networks only when it is the only project
    regions = list(m.regions)
    ext: dict[str, str] = {}
    if p.routers:
        for region in regions:
            if m.network_hosts(region):
                net = m._create_network("ext-net" if len(regions) == 1 else f"ext-net-{region}", m.admin_project_id,
                                        region, "flat", None, "external", True, False, True, 1500, "")
                m._create_subnet(net, "172.24.4.0/24", "ext-subnet", "auto", False, None, 4, None, None, "")
                ext[region] = net.id
    nets = []
    for k in range(p.networks):
        region = regions[k % len(regions)]
        net = m._create_network(f"net{k + 1}", tenants[k % len(tenants)], region, None, None, None, False, False,
                                True, None, "")
        m._create_subnet(net, f"10.{k // 256}.{k % 256}.0/24", f"subnet{k + 1}", "auto", True, None, 4, None, None,
                         "")
        nets.append(net)
    routers = []
    for r in range(p.routers):
        region = regions[r % len(regions)]
        if region not in ext:
            continue
        owner = next((n.project_id for n in nets if n.region == region), m.admin_project_id)
        routers.append(m._create_router(f"router{r + 1}", owner, ext[region], True, True, region, ""))
    for k, net in enumerate(nets):
        mine = [r for r in routers if r.region == net.region]
        if mine:
            m._add_router_interface(mine[k % len(mine)], net.subnets[0], None)
    if p.mixed_networks:   # a VLAN provider network, shared, next to the tenant overlay networks
        net = m._create_network("provider-vlan", m.admin_project_id, regions[0], "vlan", 101, "physnet1", False,
                                True, True, 1500, "")
        m._create_subnet(net, "192.0.2.0/24", "provider-subnet", "auto", True, None, 4, None, None, "")


def _instances(m: Model) -> None:
    p = m.params
    computes = [h for h in m.hosts.values() if h.is_compute]
    nets = [n for n in m.networks.values() if not n.external]
    provider = next((n for n in nets if n.network_type == "vlan" and p.mixed_networks), None)
    for i in range(p.instances):
        host = computes[i % len(computes)]
        region_nets = [n for n in nets if n.region == host.region] or nets
        net = region_nets[i % len(region_nets)]
        net_ids = [net.id]
        if provider is not None and i == p.instances - 1 and net.id != provider.id:
            net_ids.append(provider.id)   # one server on an overlay and the VLAN provider network
        m._create_server(f"vm-{i + 1}", net_ids, [], None, None, net.project_id, host.name, None, None, None,
                         None, None)
