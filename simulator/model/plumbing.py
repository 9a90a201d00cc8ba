"""What is plugged where on one host, derived from the model: the single source of host command output.

`plumbing(model, host)` returns the plain records of `simulator.model.plumbing_records` (devices, OVS
bridges and datapath ports, Linux bridges, namespaces, libvirt domains, VPP interfaces and bridge
domains, tunnels); what each mechanism driver's switch holds is built by `simulator.model.vswitch`.
Facades render text from these; they never invent names, MACs, tags or numbers of their own.
Call it with `model.lock` held (it takes the lock itself too; the lock is re-entrant).
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.model import floating, vswitch
from simulator.model.binding import ifindex
from simulator.model.entities import Host, Port
from simulator.model.host_extras import container_bridges, veth_underlay
from simulator.model.ids import bridge_id, dev_name, stable_mac, tunnel_port_name
from simulator.model.mesh import Tunnel, Tunnels, mesh_endpoints
from simulator.model.plumbing_records import (
    Device, DatapathPort, Domain, DomainInterface, HostPlumbing, LinuxBridge, Namespace, NsInterface, OvsBridge,
    VppInterface,
)


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
        return ifindex(self.h, name)

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
            ovs_bridges, datapath = vswitch.ovs(self, tunnels, linux_bridges)
        elif p.mechanism_driver == "linuxbridge":
            vswitch.linuxbridge(self, linux_bridges)
        elif p.mechanism_driver == "vpp" and (h.is_compute or h.is_network):
            vpp_ifaces, bds = vswitch.vpp(self, tunnels)
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

    def running(self, port: Port) -> bool:
        inst = self.m.instances.get(port.device_id)
        return inst is None or inst.libvirt_state == "running"

    def set_master(self, name: str, master: str) -> None:
        for d in self.devices:
            if d.name == name:
                d.master = master

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
