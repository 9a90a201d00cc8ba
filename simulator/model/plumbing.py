"""What is plugged where on one host, derived from the model: the single source of host command output.

`plumbing(model, host)` returns plain dataclasses (devices, OVS bridges and datapath ports, Linux
bridges, namespaces, libvirt domains, VPP interfaces and bridge domains, tunnels). Facades render
text from these; they never invent names, MACs, tags or numbers of their own.
Call it with `model.lock` held (it takes the lock itself too; the lock is re-entrant).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from simulator.model import floating
from simulator.model.entities import Host, Port
from simulator.model.host_extras import container_bridges, veth_name, veth_underlay
from simulator.model.ids import bridge_id, dev_name, stable_mac, tunnel_port_name
from simulator.model.mesh import Mapped, Tunnel, Tunnels, mesh_endpoints


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


def plumbing(model, host_name: str) -> HostPlumbing:
    with model.lock:
        return _Builder(model, model.host(host_name)).build()


class _Builder:
    def __init__(self, model, host: Host):
        self.m, self.h, self.p = model, host, model.params
        self.seed = model.params.seed
        self.ports = sorted(model.plumbed_ports(host.name), key=lambda p: host.ifindexes.get(
            dev_name("tap", p.id), 0))
        self.devices: list[Device] = []

    def mac(self, key: str) -> str:
        return stable_mac(self.seed, f"{self.h.name}/{key}")

    def idx(self, name: str) -> int:
        return self.m._ifindex(self.h, name)

    def dev(self, name: str, kind: str, mac: str | None = None, **kw) -> Device:
        d = Device(name, self.idx(name), mac or self.mac(name), kind, **kw)
        self.devices.append(d)
        return d

    def build(self) -> HostPlumbing:
        h, p = self.h, self.p
        on_lo = p.tunnel_style == "lo" and h.tunnel_ip
        self.dev("lo", "loopback", "00:00:00:00:00:00", mtu=65536, ip=h.tunnel_ip if on_lo else "127.0.0.1",
                 prefix=32 if on_lo else 8, state="UNKNOWN")
        tunnel_dev = "lo" if on_lo else None
        for nic in h.pnics:
            if p.mechanism_driver == "vpp" and nic.role in ("tunnel", "provider"):
                continue  # owned by VPP (DPDK), not a kernel device
            self.dev(nic.name, "physical", nic.mac, ip=nic.ip, prefix=nic.prefix,
                     state="UP" if nic.link_detected else "DOWN", speed_mbps=nic.speed_mbps, pci=nic.pci)
            if nic.ip and nic.ip == h.tunnel_ip:
                tunnel_dev = nic.name
        linux_bridges: list[LinuxBridge] = []
        if h.tunnel_ip and p.tunnel_style == "A" and p.mechanism_driver != "vpp":
            nic = next(n for n in h.pnics if n.role == "tunnel")
            br = self.dev("br-mesh", "bridge", nic.mac, ip=h.tunnel_ip, prefix=h.tunnel_prefix)
            for d in self.devices:
                if d.name == nic.name:
                    d.master = "br-mesh"
            linux_bridges.append(LinuxBridge("br-mesh", br.mac, bridge_id(br.mac), False, [nic.name]))
            tunnel_dev = "br-mesh"
        tunnel_dev = veth_underlay(self) or tunnel_dev
        if h.is_compute:
            br = self.dev("virbr0", "bridge", stable_mac(self.seed, f"{h.name}/virbr0", "52:54:00"),
                          ip="192.168.122.1", prefix=24, state="DOWN")
            linux_bridges.append(LinuxBridge("virbr0", br.mac, bridge_id(br.mac), True, []))
        linux_bridges += [LinuxBridge(name, mac, bridge_id(mac), False, members)
                          for name, mac, members in container_bridges(self)]
        tunnels = self.tunnels()
        ovs_bridges: list[OvsBridge] = []
        datapath: list[DatapathPort] = []
        vpp_ifaces: list[VppInterface] = []
        bds: dict[int, list[str]] = {}
        namespaces = self.namespaces()
        if p.mechanism_driver == "ovs" and (h.is_compute or h.is_network):
            ovs_bridges, datapath = self.ovs(tunnels, linux_bridges)
        elif p.mechanism_driver == "linuxbridge":
            self.linuxbridge(linux_bridges)
        elif p.mechanism_driver == "vpp" and (h.is_compute or h.is_network):
            vpp_ifaces, bds = self.vpp(tunnels)
        self.sriov()
        domains = self.domains()
        self.devices.sort(key=lambda d: d.ifindex)
        return HostPlumbing(h.name, self.devices, ovs_bridges, datapath, linux_bridges, namespaces, domains,
                            vpp_ifaces, bds, tunnels, tunnel_dev)

    # -- tunnels (l2population: peers sharing a network with a port here; without it every endpoint)
    def tunnels(self) -> Sequence[Tunnel]:
        h, p = self.h, self.p
        if not h.tunnel_ip or p.mechanism_driver == "linuxbridge":
            return []
        if not p.l2_population:
            everyone = mesh_endpoints(self.m)
            lost = [name for _, name in everyone[:2] if name != h.name][:1] if h.tunnel_lost else []
            me = [h.name] if h.is_compute or h.is_network else []   # the endpoints are theirs (mesh_endpoints)
            return Tunnels(p.type_driver, h.tunnel_ip, everyone, frozenset(me + lost))
        peers: set[str] = set()
        for net_id in {port.network_id for port in self.ports}:
            if self.m.networks[net_id].network_type in ("vxlan", "gre"):   # l2pop's entries: tunnelled networks
                peers.update(self.m.hosts_of_network(net_id))
        peers.discard(h.name)
        out = []
        ordered = sorted(peers, key=lambda n: self.m.hosts[n].tunnel_ip or "")
        for name in ordered[1:] if h.tunnel_lost else ordered:
            peer = self.m.hosts[name]
            if peer.tunnel_ip:
                out.append(Tunnel(tunnel_port_name(p.type_driver, peer.tunnel_ip), p.type_driver, h.tunnel_ip,
                                  peer.tunnel_ip, name))
        return out

    # -- namespaces on network nodes
    def namespaces(self) -> list[Namespace]:
        by_ns: dict[str, list[NsInterface]] = {}
        m = self.m
        for port in self.ports:
            ns = m.namespace_of_port(port)
            if ns is None:
                continue
            net = m.networks[port.network_id]
            fixed = port.fixed_ips[0] if port.fixed_ips else None
            ip = prefix = None
            if fixed:
                ip = fixed["ip_address"]
                prefix = int(m.subnets[fixed["subnet_id"]].cidr.split("/")[1])
            ifname = m.ns_ifname(port)
            veth = m.ns_uses_veth()
            peer = dev_name("tap", port.id) if veth else None
            iface = NsInterface(ifname, self.idx(f"{ns}/{ifname}"), port.mac_address, ip, prefix, net.mtu, port.id,
                                net.id, "veth" if veth else "ovs-internal", peer,
                                self.idx(peer) if peer else None,
                                floating.on_router(m, port.device_id) if port.device_owner == "network:router_gateway"
                                else [])
            by_ns.setdefault(ns, []).append(iface)
            if veth:
                self.dev(peer, "veth", self.mac(peer), mtu=net.mtu, peer=ifname, peer_netns=ns, port_id=port.id,
                         master="ovs-system" if self.p.mechanism_driver == "ovs" else dev_name("brq", net.id))
        out = []
        for ns, ifaces in by_ns.items():
            if ns not in self.h.netns_ids:
                self.h.netns_ids[ns] = len(self.h.netns_ids)
            out.append(Namespace(ns, self.h.netns_ids[ns], ifaces))
        out.sort(key=lambda n: n.nsid)
        return out

    # -- Open vSwitch
    def ovs(self, tunnels: Sequence[Tunnel], linux_bridges: list[LinuxBridge]):
        h, p, m = self.h, self.p, self.m
        old = p.release == "old"
        self.dev("ovs-system", "ovs-system", self.mac("ovs-system"), state="DOWN")
        self.dev("br-int", "ovs-internal", self.mac("br-int"), state="DOWN")
        integ = [OvsPort("br-int", "internal", ofport=h.ofports.get("br-int"))]
        bridges = []

        def patch(a: str, b: str) -> OvsPort:
            return OvsPort(a, "" if old else "patch", options={} if old else {"peer": b}, ofport=h.ofports.get(a))

        has_tun = p.type_driver in ("vxlan", "gre")
        if has_tun:
            integ.append(OvsPort("patch-tun", "patch", options={"peer": "patch-int"}))
        provider = sorted(set(h.bridge_mappings.values()), key=lambda b: (b != "br-phys", b))
        for br in provider:
            integ.append(patch(f"int-{br}", f"phy-{br}"))
        for port in self.ports:
            net = m.networks[port.network_id]
            tag = h.local_vlans.get(port.network_id)
            if port.device_owner.startswith("compute"):
                if port.vnic_type == "direct":
                    continue
                tap, qbr, qvb, qvo = (dev_name(x, port.id) for x in ("tap", "qbr", "qvb", "qvo"))
                br = self.dev(qbr, "bridge", self.mac(qbr), mtu=net.mtu)
                self.dev(qvb, "veth", self.mac(qvb), mtu=net.mtu, master=qbr, peer=qvo, port_id=port.id)
                self.dev(qvo, "veth", self.mac(qvo), mtu=net.mtu, master="ovs-system", peer=qvb, port_id=port.id)
                members = [qvb]
                if self.running(port):   # a stopped server keeps its bridge; its tap goes with the domain
                    self.dev(tap, "tun", "fe" + port.mac_address[2:], mtu=net.mtu, master=qbr, port_id=port.id)
                    members.append(tap)
                linux_bridges.append(LinuxBridge(qbr, br.mac, bridge_id(br.mac), False, members, net.id))
                integ.append(OvsPort(qvo, tag=tag, ofport=h.ofports.get(qvo), port_id=port.id))
            elif m.namespace_of_port(port):
                name = m.ns_bridge_port(port)
                integ.append(OvsPort(name, "" if m.ns_uses_veth() else "internal", tag=tag,
                                     ofport=h.ofports.get(name), port_id=port.id))
        bridges.append(OvsBridge("br-int", integ))
        if has_tun:
            self.dev("br-tun", "ovs-internal", self.mac("br-tun"), state="DOWN")
            tun = [OvsPort("br-tun", "internal", ofport=h.ofports.get("br-tun")),
                   OvsPort("patch-int", "patch", options={"peer": "patch-tun"})]
            bridges.append(OvsBridge("br-tun", Mapped(tun, tunnels, _tunnel_port)))  # type: ignore[arg-type]
        for br in provider:   # provider bridges (bridge_mappings), with or without physical ports
            self.dev(br, "ovs-internal", self.mac(br), state="DOWN")
            ports = [OvsPort(br, "internal", ofport=h.ofports.get(br)), patch(f"phy-{br}", f"int-{br}")]
            for nic in h.bridge_uplinks.get(br, []):
                ports.append(OvsPort(nic, ofport=h.ofports.get(nic)))
                self._set_master(nic, "ovs-system")
            bridges.append(OvsBridge(br, ports))
        for b in bridges:
            b.datapath_type = p.datapath
        if old:  # the veth-style int-br-*/phy-br-* pairs of older releases are kernel devices too
            for br in provider:
                a, b = f"int-{br}", f"phy-{br}"
                self.dev(a, "veth", self.mac(a), master="ovs-system", peer=b)
                self.dev(b, "veth", self.mac(b), master="ovs-system", peer=a)
        internal = {pt.name for br in bridges for pt in br.ports if pt.type == "internal"} | {"ovs-system"}
        skip = set() if old else {n for br in provider for n in (f"int-{br}", f"phy-{br}")}
        datapath = []
        for name, number in sorted(h.ofports.items(), key=lambda kv: kv[1]):
            if name in skip:
                continue
            if name.endswith("_sys_4789"):
                datapath.append(DatapathPort(number, name, False, f"{p.type_driver}: packet_type=ptap"))
            else:
                datapath.append(DatapathPort(number, name, name in internal))
        present = {pt.name for br in bridges for pt in br.ports} | {"ovs-system"} | {
            d.name for d in datapath if d.extra}
        datapath = [d for d in datapath if d.name in present]
        return bridges, datapath

    def running(self, port: Port) -> bool:
        inst = self.m.instances.get(port.device_id)
        return inst is None or inst.libvirt_state == "running"

    def _set_master(self, name: str, master: str) -> None:
        for d in self.devices:
            if d.name == name:
                d.master = master

    # -- Linux bridge agent
    def linuxbridge(self, linux_bridges: list[LinuxBridge]) -> None:
        h, m = self.h, self.m
        by_net: dict[str, list[Port]] = {}
        for port in self.ports:
            by_net.setdefault(port.network_id, []).append(port)
        underlay = {"A": "br-mesh", "lo": "lo", "veth": veth_name(h.name)}.get(self.p.tunnel_style, "eth1") \
            if h.tunnel_ip else "eth1"
        for net_id, ports in by_net.items():
            net = m.networks[net_id]
            brq = dev_name("brq", net_id)
            br = self.dev(brq, "bridge", self.mac(brq), mtu=net.mtu)
            members = []
            if net.network_type in ("vxlan", "gre"):
                seg = f"vxlan-{net.segmentation_id}"
                self.dev(seg, "vxlan", self.mac(seg), mtu=net.mtu, master=brq, vxlan_id=net.segmentation_id,
                         parent=underlay, state="UNKNOWN")
                members.append(seg)
            elif net.network_type == "vlan":
                nic = h.bridge_mappings.get(net.physical_network) or m._provider_nic(h)
                seg = f"{nic}.{net.segmentation_id}"
                self.dev(seg, "vlan", next(n.mac for n in h.pnics if n.name == nic), master=brq,
                         vlan_id=net.segmentation_id, parent=nic)
                members.append(seg)
            else:
                nic = h.bridge_mappings.get(net.physical_network)   # unmapped: the network stays on the host
                if nic is not None:
                    self._set_master(nic, brq)
                    members.append(nic)
            for port in ports:
                tap = dev_name("tap", port.id)
                if port.device_owner.startswith("compute"):
                    if not self.running(port):
                        continue
                    self.dev(tap, "tun", "fe" + port.mac_address[2:], mtu=net.mtu, master=brq, port_id=port.id)
                members.append(tap)
            linux_bridges.append(LinuxBridge(brq, br.mac, bridge_id(br.mac), False, members, net_id))

    # -- VPP
    def vpp(self, tunnels: Sequence[Tunnel]):
        h, m = self.h, self.m
        nic = next(n for n in h.pnics if n.role in ("tunnel", "provider"))
        ifaces = [VppInterface("local0", 0, None, "down", "local", mtu=0),
                  VppInterface(nic.name, 1, nic.mac, "up", "physical")]
        bds: dict[int, list[str]] = {}
        idx = 2
        if m.params.type_driver in ("vxlan", "gre"):
            for t in tunnels:
                ifaces.append(VppInterface(f"vxlan_tunnel{idx - 2}", idx, None, "up", "vxlan"))
                idx += 1
        subs: dict[int, str] = {}
        for port in self.ports:
            net = m.networks[port.network_id]
            bd = net.segmentation_id or (1000 + list(m.networks).index(net.id))
            if bd not in bds:
                bds[bd] = []
                if net.network_type == "vlan":
                    sub = f"{nic.name}.{net.segmentation_id}"
                    ifaces.append(VppInterface(sub, idx, nic.mac, "up", "sub", bd_id=bd))
                    subs[bd] = sub
                    idx += 1
                    bds[bd].append(sub)
                else:
                    bds[bd].extend(i.name for i in ifaces if i.kind == "vxlan")
            name = h.vpp_ifaces.get(port.id)
            if name is None:
                continue
            kind = "virtual" if name.startswith("Virtual") else "tap"
            ifaces.append(VppInterface(name, idx, port.mac_address, "up", kind, port_id=port.id, bd_id=bd, shg=1))
            idx += 1
            bds[bd].append(name)
        return ifaces, bds

    def sriov(self) -> None:
        pass  # the SR-IOV PF is a physical NIC already; its VFs are derived by facades from direct ports

    # -- libvirt
    def domains(self) -> list[Domain]:
        h, m, p = self.h, self.m, self.p
        out = []
        for inst in sorted(m.instances_on_host(h.name), key=lambda i: i.index):
            flavor = m.flavors.get(inst.flavor_id)
            ifaces = []
            plumbed = {pt.id for pt in self.ports}
            for n, pid in enumerate(inst.port_ids):
                port = m.ports.get(pid)
                if port is None or (port.host == h.name and pid not in plumbed):
                    continue
                net = m.networks[port.network_id]
                if port.vnic_type == "direct":
                    ifaces.append(DomainInterface("hostdev", port.mac_address, None, None, None, net.mtu,
                                                  f"hostdev{n}", pid, net.id, vlan=net.segmentation_id))
                elif p.mechanism_driver == "ovs":
                    ifaces.append(DomainInterface("bridge", port.mac_address, dev_name("tap", pid),
                                                  dev_name("qbr", pid), None, net.mtu, f"net{n}", pid, net.id))
                elif p.mechanism_driver == "linuxbridge":
                    ifaces.append(DomainInterface("bridge", port.mac_address, dev_name("tap", pid),
                                                  dev_name("brq", net.id), None, net.mtu, f"net{n}", pid, net.id))
                else:
                    ifaces.append(DomainInterface("vhostuser", port.mac_address, None, None,
                                                  f"/var/run/vpp/{pid}", net.mtu, f"net{n}", pid, net.id))
            out.append(Domain(inst.domain_id, inst.domain_name, inst.id, inst.libvirt_state,
                              (flavor.ram if flavor else 512) * 1024, flavor.vcpus if flavor else 1, ifaces,
                              inst.name))
        return out


def _tunnel_port(t: Tunnel) -> OvsPort:
    return OvsPort(t.name, t.type, options={"df_default": "true", "egress_pkt_mark": "0", "in_key": "flow",
                                            "local_ip": t.local_ip, "out_key": "flow", "remote_ip": t.remote_ip})
