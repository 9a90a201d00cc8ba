"""The simulated cloud's objects, as plain dataclasses (no behaviour, JSON-able with `asdict`).

Field names follow the OpenStack API where one exists (so facades map them 1:1);
everything a host command needs is stored here or derived by `simulator.model.plumbing`.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field


@dataclass
class Params:
    """What the cloud is built from; same Params + seed -> same cloud, identifiers included."""

    computes: int = 4
    controllers: int = 1
    network_nodes: int = 1
    instances: int = 4
    networks: int = 2
    routers: int = 1
    projects: int = 2
    regions: int = 1
    mechanism_driver: str = "ovs"  # ovs | linuxbridge | vpp
    type_driver: str = "vxlan"     # vxlan | vlan | gre | flat
    sriov: bool = False
    distribution: str = "Devstack"
    distribution_version: str = ""  # default: "zed" (current) / "Mitaka" (old)
    release: str = "current"       # current (Zed) | old (the spec's Mitaka-era cloud)
    seed: int = 1
    aci: bool = False
    tunnel_style: str = "A"        # A: tunnel IP on Linux bridge br-mesh holding eth1; B: on eth1 itself;
                                   # lo: on the loopback (a routed /32: no NIC carries the overlay);
                                   # veth: on a veth whose peer is in another namespace (`<host>-tun@ifN`)
    mixed_networks: bool = False   # a VLAN provider network (physnet1 on eth3) next to the tenant type_driver ones
    datapath: str = "system"       # system | netdev (userspace: `ovs-dpctl show` fails, `ovs-appctl` answers)
    machine_names: bool = False    # `uname -n` differs from the host id (Zed: compute1 vs vm)
    agent_delay: float = 0.0       # seconds between a notification and the host's plumbing (agents lag)
    dhcp_port_events: str = "update"  # with agent_delay, the DHCP agent's port: "update" made unbound with the
                                   # subnet, bound later with port.update.end; "none" made by the agent later,
                                   # bound, with no notification at all (both seen on two-node Zed)
    ethtool: bool = True           # False: hosts without ethtool (`command not found`; /sys/class/net says the same)
    container_bridges: bool = False  # hosts also run a container runtime's bridge (cni-podman0, docker0)
    l2_population: bool = True     # tunnels only to hosts sharing a network; off: to every endpoint (full mesh)
    admin_user: str = "admin"
    admin_password: str = "admin-secret"
    base_time: str = "2030-01-01T00:00:00Z"


@dataclass
class Region:
    name: str
    description: str = ""


@dataclass
class Project:
    id: str
    name: str
    description: str = ""
    domain_id: str = "default"
    enabled: bool = True
    parent_id: str = "default"
    is_domain: bool = False


@dataclass
class User:
    id: str
    name: str
    password: str
    domain_id: str = "default"
    default_project_id: str | None = None


@dataclass
class Pnic:
    """A physical NIC of a host. `role`: management | tunnel | external | provider."""

    name: str
    mac: str
    role: str
    ip: str | None = None
    prefix: int | None = None
    speed_mbps: int = 10000
    pci: str = "0000:00:03.0"
    link_detected: bool = True
    vlan: int | None = None  # tunnel traffic on a VLAN sub-interface <name>.<vlan> (style A, vlan set)


@dataclass
class Service:
    """A Nova service on a host (nova-compute, nova-conductor, nova-scheduler)."""

    id: int
    binary: str
    host: str
    zone: str
    state: str = "up"
    status: str = "enabled"
    updated_at: str = ""


@dataclass
class Host:
    """One server of the cloud. `name` is the host id of every facade (vim-contract §7.2)."""

    name: str
    roles: list[str]                 # controller, network, compute
    region: str
    zone: str                        # nova AZ of its nova-compute, else "internal"
    ip: str                          # management IP = compute_nodes.host_ip
    tunnel_ip: str | None
    tunnel_prefix: int
    pnics: list[Pnic]
    os: dict
    hypervisor_id: int | None = None
    hypervisor_uuid: str | None = None
    hypervisor_hostname: str | None = None
    vcpus: int = 32
    memory_mb: int = 131072
    disk_gb: int = 1000
    ovs_uuid: str = ""
    tunnel_lost: bool = False        # its agent lost the tunnel port to its first peer (--fault HOST:tunnel-lost)
    # allocation state kept stable across mutations (the real kernel/OVS keep them too)
    local_vlans: dict[str, int] = field(default_factory=dict)    # network id -> br-int local VLAN tag
    ofports: dict[str, int] = field(default_factory=dict)        # device name -> datapath port number
    ifindexes: dict[str, int] = field(default_factory=dict)      # device name -> ifindex
    vpp_ifaces: dict[str, str] = field(default_factory=dict)     # port id -> VPP interface name
    netns_ids: dict[str, int] = field(default_factory=dict)      # namespace -> nsid
    next_ofport: int = 0
    next_ifindex: int = 1
    next_domain_id: int = 1
    next_vpp_virtual: int = 0
    bridge_mappings: dict[str, str] = field(default_factory=dict)   # physnet -> OVS bridge / LXB interface
    bridge_uplinks: dict[str, list[str]] = field(default_factory=dict)  # OVS bridge -> physical ports
    machine_name: str | None = None  # what `uname -n` prints, when it is not the host id

    @property
    def is_compute(self) -> bool:
        return "compute" in self.roles

    @property
    def is_network(self) -> bool:
        return "network" in self.roles

    @property
    def is_controller(self) -> bool:
        return "controller" in self.roles


@dataclass
class Agent:
    """A Neutron agent row (API /v2.0/agents and table neutron.agents)."""

    id: str
    agent_type: str
    binary: str
    topic: str
    host: str
    configurations: dict
    availability_zone: str | None = None
    admin_state_up: bool = True
    alive: bool = True
    created_at: str = ""
    started_at: str = ""
    heartbeat_timestamp: str = ""
    description: str | None = None
    resource_versions: dict = field(default_factory=dict)


@dataclass
class Aggregate:
    id: int
    name: str
    region: str
    availability_zone: str | None
    hosts: list[str]
    metadata: dict = field(default_factory=dict)
    uuid: str = ""
    created_at: str = ""


@dataclass
class Flavor:
    id: str
    name: str
    ram: int
    vcpus: int
    disk: int
    swap: str = ""
    ephemeral: int = 0
    rxtx_factor: float = 1.0
    is_public: bool = True


@dataclass
class Image:
    id: str
    name: str
    status: str = "ACTIVE"
    min_disk: int = 0
    min_ram: int = 0
    size: int = 1048576
    created: str = ""
    metadata: dict = field(default_factory=dict)


@dataclass
class SecurityGroup:
    id: str
    name: str
    project_id: str
    description: str = ""
    rules: list[dict] = field(default_factory=list)
    created_at: str = ""


@dataclass
class Network:
    id: str
    name: str
    project_id: str
    region: str
    network_type: str               # provider:network_type
    segmentation_id: int | None
    physical_network: str | None
    mtu: int
    external: bool = False           # router:external
    shared: bool = False
    admin_state_up: bool = True
    status: str = "ACTIVE"
    subnets: list[str] = field(default_factory=list)
    description: str = ""
    port_security_enabled: bool = True
    dhcp_host: str | None = None     # network node whose DHCP agent serves it
    created_at: str = ""
    updated_at: str = ""
    revision_number: int = 1


@dataclass
class Subnet:
    id: str
    name: str
    network_id: str
    project_id: str
    cidr: str
    gateway_ip: str | None
    enable_dhcp: bool = True
    ip_version: int = 4
    allocation_pools: list[dict] = field(default_factory=list)
    dns_nameservers: list[str] = field(default_factory=list)
    host_routes: list[dict] = field(default_factory=list)
    description: str = ""
    created_at: str = ""
    updated_at: str = ""
    revision_number: int = 0
    next_ip: int = 3                 # host part of the next address handed to a port


ROUTER_OWNERS = ("network:router_interface", "network:router_gateway")


@dataclass
class Port:
    id: str
    name: str
    network_id: str
    project_id: str
    mac_address: str
    fixed_ips: list[dict]            # [{"subnet_id", "ip_address"}]
    device_owner: str                # compute:<az> | network:dhcp | network:router_interface | network:router_gateway | ""
    device_id: str
    host: str                        # binding:host_id ("" = unbound)
    vif_type: str = "unbound"        # ovs | bridge | vhostuser | hw_veb | unbound
    vnic_type: str = "normal"
    vif_details: dict = field(default_factory=dict)
    status: str = "DOWN"
    admin_state_up: bool = True
    security_groups: list[str] = field(default_factory=list)
    description: str = ""
    created_at: str = ""
    updated_at: str = ""
    revision_number: int = 1
    plugged_at: float = 0.0          # when the host's agents have plumbed it (time.time(); --agent-delay)

    def bound_host(self) -> str:
        """binding:host_id as the API shows it now. A router's ports are bound by the L3 agent when it
        picks the router up (Zed: ~3 s after `router.interface.create`), not when the API creates them."""
        if self.device_owner in ROUTER_OWNERS and self.plugged_at > time.time():
            return ""
        return self.host

    def bound_vif_type(self) -> str:
        return self.vif_type if self.bound_host() or not self.host else "unbound"


@dataclass
class Router:
    id: str
    name: str
    project_id: str
    region: str
    host: str | None                 # network node running its L3 agent (qrouter-<id> lives there)
    status: str = "ACTIVE"
    admin_state_up: bool = True
    gw_port_id: str | None = None
    gw_network_id: str | None = None
    enable_snat: bool = True
    routes: list[dict] = field(default_factory=list)
    description: str = ""
    created_at: str = ""
    updated_at: str = ""
    revision_number: int = 1


#: Nova power_state codes (nova/compute/power_state.py)
RUNNING, SHUTDOWN, SUSPENDED = 1, 4, 7


@dataclass
class Instance:
    id: str                          # uuid, = libvirt <uuid>
    name: str                        # display name
    project_id: str
    user_id: str
    host: str
    node: str                        # hypervisor_hostname
    availability_zone: str
    flavor_id: str
    image_id: str
    index: int                       # nova.instances.id; libvirt name instance-%08x
    domain_id: int | None            # `virsh list` Id while running, None when shut off
    port_ids: list[str]
    power_state: int = RUNNING
    vm_state: str = "active"         # active | stopped | suspended | deleted
    task_state: str | None = None
    key_name: str | None = None
    created_at: str = ""
    updated_at: str = ""
    launched_at: str = ""
    terminated_at: str | None = None
    deleted: bool = False
    metadata: dict = field(default_factory=dict)

    @property
    def domain_name(self) -> str:
        return "instance-%08x" % self.index

    @property
    def status(self) -> str:
        return {"active": "ACTIVE", "stopped": "SHUTOFF", "suspended": "SUSPENDED",
                "deleted": "DELETED"}.get(self.vm_state, "ERROR")

    @property
    def libvirt_state(self) -> str:
        return {RUNNING: "running", SHUTDOWN: "shut off", SUSPENDED: "shut off"}.get(self.power_state, "shut off")


@dataclass
class Event:
    """A change that happened, for subscribers (the AMQP publisher turns it into notifications).

    `event_type` is the OpenStack notification type (`compute.instance.create.end`, `port.delete.end`...);
    `service` the exchange (`nova` | `neutron`); `host` the publisher host; `data` a snapshot of the
    objects involved (API-shaped dicts made by the model); `project_id` the acting project.
    """

    event_type: str
    service: str
    host: str
    data: dict
    project_id: str | None = None
    timestamp: str = ""
