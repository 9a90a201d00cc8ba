"""The switch each mechanism driver plugs a host's ports into, as host plumbing records: Open vSwitch
(br-int, br-tun, provider bridges, hybrid-plug qbr bridges, datapath ports), Linux bridge agent
(one brq bridge per network with its VXLAN, VLAN or flat member) and VPP (interfaces, bridge domains).

Each function is one step of `simulator.model.plumbing`'s builder (`bld`): it adds the host's kernel
devices through `bld.dev` and returns the switch's own records.
"""

from __future__ import annotations

from collections.abc import Sequence

from simulator.model.binding import provider_nic
from simulator.model.entities import Port
from simulator.model.host_extras import veth_name
from simulator.model.ids import bridge_id, dev_name
from simulator.model.mesh import Mapped, Tunnel
from simulator.model.plumbing_records import DatapathPort, LinuxBridge, OvsBridge, OvsPort, VppInterface


def ovs(bld, tunnels: Sequence[Tunnel], linux_bridges: list[LinuxBridge]):
    h, p, m = bld.h, bld.p, bld.m
    old = p.release == "old"
    bld.dev("ovs-system", "ovs-system", bld.mac("ovs-system"), state="DOWN")
    bld.dev("br-int", "ovs-internal", bld.mac("br-int"), state="DOWN")
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
    for port in bld.ports:
        net = m.networks[port.network_id]
        tag = h.local_vlans.get(port.network_id)
        if port.device_owner.startswith("compute"):
            if port.vnic_type == "direct":
                continue
            tap, qbr, qvb, qvo = (dev_name(x, port.id) for x in ("tap", "qbr", "qvb", "qvo"))
            br = bld.dev(qbr, "bridge", bld.mac(qbr), mtu=net.mtu)
            bld.dev(qvb, "veth", bld.mac(qvb), mtu=net.mtu, master=qbr, peer=qvo, port_id=port.id)
            bld.dev(qvo, "veth", bld.mac(qvo), mtu=net.mtu, master="ovs-system", peer=qvb, port_id=port.id)
            members = [qvb]
            if bld.running(port):   # a stopped server keeps its bridge; its tap goes with the domain
                bld.dev(tap, "tun", "fe" + port.mac_address[2:], mtu=net.mtu, master=qbr, port_id=port.id)
                members.append(tap)
            linux_bridges.append(LinuxBridge(qbr, br.mac, bridge_id(br.mac), False, members, net.id))
            integ.append(OvsPort(qvo, tag=tag, ofport=h.ofports.get(qvo), port_id=port.id))
        elif m.namespace_of_port(port):
            name = m.ns_bridge_port(port)
            integ.append(OvsPort(name, "" if m.ns_uses_veth() else "internal", tag=tag,
                                 ofport=h.ofports.get(name), port_id=port.id))
    bridges.append(OvsBridge("br-int", integ))
    if has_tun:
        bld.dev("br-tun", "ovs-internal", bld.mac("br-tun"), state="DOWN")
        tun = [OvsPort("br-tun", "internal", ofport=h.ofports.get("br-tun")),
               OvsPort("patch-int", "patch", options={"peer": "patch-tun"})]
        bridges.append(OvsBridge("br-tun", Mapped(tun, tunnels, _tunnel_port)))  # type: ignore[arg-type]
    for br in provider:   # provider bridges (bridge_mappings), with or without physical ports
        bld.dev(br, "ovs-internal", bld.mac(br), state="DOWN")
        ports = [OvsPort(br, "internal", ofport=h.ofports.get(br)), patch(f"phy-{br}", f"int-{br}")]
        for nic in h.bridge_uplinks.get(br, []):
            ports.append(OvsPort(nic, ofport=h.ofports.get(nic)))
            bld.set_master(nic, "ovs-system")
        bridges.append(OvsBridge(br, ports))
    for b in bridges:
        b.datapath_type = p.datapath
    if old:  # the veth-style int-br-*/phy-br-* pairs of older releases are kernel devices too
        for br in provider:
            a, b = f"int-{br}", f"phy-{br}"
            bld.dev(a, "veth", bld.mac(a), master="ovs-system", peer=b)
            bld.dev(b, "veth", bld.mac(b), master="ovs-system", peer=a)
    internal = {pt.name for br in bridges for pt in _fixed(br.ports) if pt.type == "internal"} | {"ovs-system"}
    skip = set() if old else {n for br in provider for n in (f"int-{br}", f"phy-{br}")}
    datapath = []
    for name, number in sorted(h.ofports.items(), key=lambda kv: kv[1]):
        if name in skip:
            continue
        if name.endswith("_sys_4789"):
            datapath.append(DatapathPort(number, name, False, f"{p.type_driver}: packet_type=ptap"))
        else:
            datapath.append(DatapathPort(number, name, name in internal))
    present = {pt.name for br in bridges for pt in _fixed(br.ports)} | {"ovs-system"} | {
        d.name for d in datapath if d.extra}
    datapath = [d for d in datapath if d.name in present]
    return bridges, datapath

def _fixed(ports: Sequence) -> Sequence:
    """A bridge's ports but its tunnels (made when read: a host's whole mesh): a tunnel port is never internal
    and never named in the datapath's port numbers, so the sets above need only these."""
    return ports.head if isinstance(ports, Mapped) else ports


def linuxbridge(bld, linux_bridges: list[LinuxBridge]) -> None:
    h, m = bld.h, bld.m
    by_net: dict[str, list[Port]] = {}
    for port in bld.ports:
        by_net.setdefault(port.network_id, []).append(port)
    underlay = {"A": "br-mesh", "lo": "lo", "veth": veth_name(h.name)}.get(bld.p.tunnel_style, "eth1") \
        if h.tunnel_ip else "eth1"
    for net_id, ports in by_net.items():
        net = m.networks[net_id]
        brq = dev_name("brq", net_id)
        br = bld.dev(brq, "bridge", bld.mac(brq), mtu=net.mtu)
        members = []
        if net.network_type in ("vxlan", "gre"):
            seg = f"vxlan-{net.segmentation_id}"
            bld.dev(seg, "vxlan", bld.mac(seg), mtu=net.mtu, master=brq, vxlan_id=net.segmentation_id,
                     parent=underlay, state="UNKNOWN")
            members.append(seg)
        elif net.network_type == "vlan":
            nic = h.bridge_mappings.get(net.physical_network) or provider_nic(h)
            seg = f"{nic}.{net.segmentation_id}"
            bld.dev(seg, "vlan", next(n.mac for n in h.pnics if n.name == nic), master=brq,
                     vlan_id=net.segmentation_id, parent=nic)
            members.append(seg)
        else:
            nic = h.bridge_mappings.get(net.physical_network)   # unmapped: the network stays on the host
            if nic is not None:
                bld.set_master(nic, brq)
                members.append(nic)
        for port in ports:
            tap = dev_name("tap", port.id)
            if port.device_owner.startswith("compute"):
                if not bld.running(port):
                    continue
                bld.dev(tap, "tun", "fe" + port.mac_address[2:], mtu=net.mtu, master=brq, port_id=port.id)
            members.append(tap)
        linux_bridges.append(LinuxBridge(brq, br.mac, bridge_id(br.mac), False, members, net_id))

def vpp(bld, tunnels: Sequence[Tunnel]):
    h, m = bld.h, bld.m
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
    for port in bld.ports:
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

def _tunnel_port(t: Tunnel) -> OvsPort:
    return OvsPort(t.name, t.type, options={"df_default": "true", "egress_pkt_mark": "0", "in_key": "flow",
                                            "local_ip": t.local_ip, "out_key": "flow", "remote_ip": t.remote_ip})
