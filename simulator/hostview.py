"""What one simulated host looks like from a shell: its links, namespaces, bridges, OVS, VPP and domains.

The renderers (`simulator/render/`) are pure functions of these dataclasses, so the text formats are
tested without a model or a socket; `build(model, host)` (in `simulator/hostview_build.py`) derives a
view from the one model, which is what keeps SSH output consistent with the REST and MySQL facades.
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: output styles: "old" = the release the spec describes (Ubuntu 16.04, OVS 2.9, libvirt 4, iproute2 4.x);
#: "current" = what the recorded Zed cloud prints (Debian 12, OVS 3.1, libvirt 9, iproute2 6.1).
STYLES = ("old", "current")


@dataclass
class Inet:
    address: str
    prefix: int
    scope: str = "global"


@dataclass
class Inet6:
    address: str
    prefix: int
    scope: str = "link"
    flags: str = ""  # e.g. "nodad"


@dataclass
class Ethtool:
    """The few facts `ethtool <if>` prints; `kind` picks the driver's template."""

    kind: str = "copper"  # copper (a real NIC), virtio (Zed's eth0), tap (a VM tap)
    speed: str = "1000Mb/s"
    duplex: str = "Full"
    link_detected: bool = True


@dataclass
class VF:
    """An SR-IOV virtual function as `ip link show <pf>` lists it."""

    vf: int
    mac: str = "00:00:00:00:00:00"
    vlan: int | None = None


@dataclass
class Link:
    """One network device as `ip link` / `ip address` shows it."""

    index: int
    name: str
    mac: str
    mtu: int = 1500
    kind: str = "veth"  # loopback, physical, bridge, veth, tun, ovs-internal, ovs-system, vlan, vxlan, bond, ifb
    flags: tuple[str, ...] = ("BROADCAST", "MULTICAST", "UP", "LOWER_UP")
    state: str = "UP"
    qdisc: str = "noqueue"
    qlen: int | None = 1000
    master: str | None = None
    peer: str | None = None  # shown as name@peer (veth peer, "ifNN", VLAN parent)
    link_netns: str | None = None  # host side of a veth whose peer is in a namespace
    link_netnsid: int | None = None  # namespace side of such a veth
    inet: list[Inet] = field(default_factory=list)
    inet6: list[Inet6] = field(default_factory=list)
    device_path: str | None = None  # /sys/class/net target for physical NICs; None means /virtual/
    ethtool: Ethtool | None = None
    details: str | None = None  # the kind-specific line of `ip -d link show` ("vxlan id 101 dev eth1 ...")
    vlan_id: int | None = None
    vfs: list[VF] = field(default_factory=list)
    remotes: list[str] = field(default_factory=list)  # VXLAN flood entries (l2population: peers' VTEPs)
    created: str = "Jan  1 00:00"  # the date `ls -l /sys/class/net` shows

    @property
    def shown_name(self) -> str:
        return f"{self.name}@{self.peer}" if self.peer else self.name


@dataclass
class Namespace:
    name: str
    nsid: int
    links: list[Link] = field(default_factory=list)


@dataclass
class LinuxBridge:
    name: str
    bridge_id: str  # 8000.<mac without colons>
    stp: str = "no"
    interfaces: list[str] = field(default_factory=list)


@dataclass
class OvsPort:
    name: str
    tag: int | None = None
    type: str | None = None  # internal, patch, vxlan, gre, None for system ports
    options: list[tuple[str, str]] = field(default_factory=list)  # rendered in order, values verbatim


@dataclass
class OvsBridge:
    name: str
    ports: list[OvsPort] = field(default_factory=list)
    controller: str | None = "tcp:127.0.0.1:6633"
    fail_mode: str | None = "secure"
    datapath_type: str | None = None  # "netdev" for the userspace datapath; None = kernel ("system")


@dataclass
class DatapathPort:
    number: int
    name: str
    detail: str | None = None  # "internal", "vxlan: packet_type=ptap", "tap" ...


@dataclass
class Ovs:
    uuid: str
    bridges: list[OvsBridge] = field(default_factory=list)
    manager: str | None = "ptcp:6640:127.0.0.1"
    version: str | None = "2.9.2"
    datapath: str = "system"  # system (kernel, ovs-dpctl works) or netdev (userspace)
    datapath_ports: list[DatapathPort] = field(default_factory=list)

    def bridge(self, name: str) -> OvsBridge | None:
        return next((b for b in self.bridges if b.name == name), None)


@dataclass
class DomainInterface:
    type: str  # bridge, vhostuser, hostdev
    mac: str
    port_id: str
    source_bridge: str | None = None
    target_dev: str | None = None
    vhost_path: str | None = None
    mtu: int | None = None
    vlan: int | None = None
    ips: list[str] = field(default_factory=list)
    virtualport: str | None = None  # "openvswitch" for OVS direct plug
    alias: str | None = None  # net0, hostdev0 ... (by position when not given)


@dataclass
class Domain:
    """A libvirt domain (a Nova instance on this host)."""

    id: int | None  # None when shut off
    name: str  # instance-0000000N
    uuid: str
    state: str = "running"  # running, paused, shut off
    display_name: str = ""
    project_id: str = ""
    project_name: str = ""
    user_id: str = ""
    user_name: str = "admin"
    flavor: str = "m1.tiny"
    memory_mb: int = 64
    vcpus: int = 1
    disk_gb: int = 1
    image_id: str = ""
    created: str = "2026-01-01 00:00:00"
    interfaces: list[DomainInterface] = field(default_factory=list)


@dataclass
class VppInterface:
    name: str
    index: int
    state: str = "up"
    mac: str | None = None
    mtu: int = 9000
    hardware: str | None = None  # hardware name column; defaults to name
    bridge_domain: int | None = None
    shg: int = 0
    addresses: list[str] = field(default_factory=list)  # "a.b.c.d/len"


@dataclass
class Vpp:
    version: str = "v19.08.1-release"
    interfaces: list[VppInterface] = field(default_factory=list)


@dataclass
class Bond:
    name: str
    slaves: list[str]
    mode: str = "IEEE 802.3ad Dynamic link aggregation"


@dataclass
class HostView:
    """Everything a shell on one host can observe."""

    name: str  # the host id (nova service host)
    hostname: str  # what `uname -n` / `hostname` print
    os_release: list[str]  # lines of /etc/os-release, verbatim
    arch: str = "x86_64"
    style: str = "old"
    links: list[Link] = field(default_factory=list)
    namespaces: list[Namespace] = field(default_factory=list)
    bridges: list[LinuxBridge] = field(default_factory=list)
    ovs: Ovs | None = None
    vpp: Vpp | None = None
    domains: list[Domain] = field(default_factory=list)
    bonds: list[Bond] = field(default_factory=list)
    tools: frozenset[str] = frozenset()  # extra installed tools (ovs-vsctl, brctl, virsh, vppctl ...)
    local: object = None  # host-local state beyond the model: deployed files, faults (simulator.sensu)

    def link(self, name: str) -> Link | None:
        return next((l for l in self.links if l.name == name), None)

    def namespace(self, name: str) -> Namespace | None:
        return next((n for n in self.namespaces if n.name == name), None)

    def domain(self, key: str) -> Domain | None:
        """A domain by Id, name or uuid, as virsh accepts them."""
        for d in self.domains:
            if key in (d.name, d.uuid) or (d.id is not None and key == str(d.id)):
                return d
        return None

    def bond(self, name: str) -> Bond | None:
        return next((b for b in self.bonds if b.name == name), None)
