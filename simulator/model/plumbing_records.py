"""The plain records of what is plugged where on one host: devices, OVS bridges and datapath ports,
Linux bridges, namespaces, libvirt domains, VPP interfaces and bridge domains, tunnels.

`simulator.model.plumbing` derives them from the model; `simulator.hostview_build` turns them into
what a shell shows. They hold no behaviour, so both sides can read them without reading each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from simulator.model.mesh import Tunnel


@dataclass
class Device:
    """A network device in the host's root namespace (`ip link`, `ls -l /sys/class/net`)."""

    name: str
    ifindex: int
    mac: str
    kind: str                 # loopback, physical, bridge, veth, tun, ovs-system, ovs-internal, vlan, vxlan
    mtu: int = 1500
    master: str | None = None  # Linux bridge or "ovs-system"
    peer: str | None = None    # veth peer device name
    peer_netns: str | None = None  # namespace holding the veth peer
    ip: str | None = None
    prefix: int | None = None
    state: str = "UP"
    port_id: str | None = None
    vlan_id: int | None = None
    vxlan_id: int | None = None
    parent: str | None = None  # VLAN parent / vxlan underlay device
    speed_mbps: int | None = None
    pci: str | None = None


@dataclass
class OvsPort:
    name: str
    type: str = ""            # "" (system/veth), internal, patch, vxlan, gre
    tag: int | None = None
    options: dict = field(default_factory=dict)
    ofport: int | None = None
    port_id: str | None = None


@dataclass
class OvsBridge:
    name: str
    ports: list[OvsPort]
    fail_mode: str = "secure"
    controller: str = "tcp:127.0.0.1:6633"
    datapath_type: str = "system"


@dataclass
class DatapathPort:
    number: int
    name: str
    internal: bool
    extra: str | None = None  # e.g. "vxlan: packet_type=ptap"


@dataclass
class LinuxBridge:
    name: str
    mac: str
    bridge_id: str
    stp: bool
    members: list[str]
    network_id: str | None = None


@dataclass
class NsInterface:
    name: str
    ifindex: int
    mac: str
    ip: str | None
    prefix: int | None
    mtu: int
    port_id: str
    network_id: str
    kind: str                  # veth | ovs-internal
    peer: str | None = None    # host-side veth peer (tap<id>)
    peer_ifindex: int | None = None
    floating: list[str] = field(default_factory=list)   # a router gateway's floating IPs (/32 each)


@dataclass
class Namespace:
    name: str
    nsid: int
    interfaces: list[NsInterface]


@dataclass
class DomainInterface:
    type: str                  # bridge | vhostuser | hostdev
    mac: str
    target_dev: str | None
    source_bridge: str | None
    source_path: str | None
    mtu: int
    alias: str
    port_id: str
    network_id: str
    vlan: int | None = None
    virtualport: str | None = None   # "openvswitch" for direct OVS plug


@dataclass
class Domain:
    id: int | None             # virsh Id (None: not running, shown as "-")
    name: str                  # instance-%08x
    uuid: str
    state: str                 # running | shut off | paused
    memory_kib: int
    vcpus: int
    interfaces: list[DomainInterface]
    display_name: str = ""


@dataclass
class VppInterface:
    name: str
    idx: int
    mac: str | None
    state: str                 # up | down
    kind: str                  # local | physical | sub | virtual | tap | vxlan
    mtu: int = 9000
    port_id: str | None = None
    bd_id: int | None = None
    shg: int = 0


@dataclass
class HostPlumbing:
    host: str
    devices: list[Device]
    ovs_bridges: list[OvsBridge]
    datapath: list[DatapathPort]
    linux_bridges: list[LinuxBridge]
    namespaces: list[Namespace]
    domains: list[Domain]
    vpp_interfaces: list[VppInterface]
    vpp_bridge_domains: dict[int, list[str]]
    tunnels: Sequence[Tunnel]
    tunnel_device: str | None  # interface holding the tunnel IP (br-mesh, eth1, ...)


def whole(pl: HostPlumbing) -> HostPlumbing:
    """The plumbing with its tunnels held as lists (the model dump: test ground truth, small clouds)."""
    return replace(pl, tunnels=list(pl.tunnels),
                   ovs_bridges=[replace(b, ports=list(b.ports)) for b in pl.ovs_bridges])
