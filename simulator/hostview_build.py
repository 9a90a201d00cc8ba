"""`build(model, host)`: what a shell on one host sees, translated from the model's plumbing.

`simulator.model.plumbing` decides every device, name, MAC, tag and number (the one source of truth, also
dumped by `--dump-model`); this module only adds what a shell shows on top of it: link flags and qdiscs,
IPv6 link-local addresses, namespace-local interface indexes and `@ifNN` peers, libvirt metadata,
`ethtool` facts, SR-IOV VFs, OVS quoting, and which tools are installed.
"""

from __future__ import annotations

import ipaddress

from simulator.hostview import (
    VF, DatapathPort, Domain, DomainInterface, Ethtool, HostView, Inet, Inet6, Link, LinuxBridge, Namespace, Ovs,
    OvsBridge, OvsPort, Vpp, VppInterface,
)
from simulator.model.mesh import mapped
from simulator.model.plumbing import plumbing
from simulator.model.plumbing_records import HostPlumbing
from simulator.render.ovs import Quoted
from simulator.render.system import OS_RELEASES

_UP = ("BROADCAST", "MULTICAST", "UP", "LOWER_UP")
_LO = ("LOOPBACK", "UP", "LOWER_UP")


def link_local(mac: str) -> str:
    """The EUI-64 IPv6 link-local address the kernel derives from a MAC."""
    b = [int(x, 16) for x in mac.split(":")]
    b[0] ^= 0x02
    return str(ipaddress.IPv6Address(bytes([0xFE, 0x80] + [0] * 6 + b[:3] + [0xFF, 0xFE] + b[3:])))


def _os_lines(os: dict) -> list[str]:
    key = f"{str(os.get('ID', '')).lower()}-{os.get('VERSION_ID', '')}"
    if key in OS_RELEASES:
        return list(OS_RELEASES[key])
    return [f'{k}="{v}"' for k, v in os.items() if k != "ARCHITECTURE"]


def _loopback() -> Link:
    return Link(1, "lo", "00:00:00:00:00:00", mtu=65536, kind="loopback", flags=_LO, state="UNKNOWN",
                inet=[Inet("127.0.0.1", 8, "host")], inet6=[Inet6("::1", 128, "host")])


def _vxlan_remotes(model, host: str, vni: int | None) -> list[str]:
    """Tunnel IPs of the other hosts with a port on the network of this VNI (LXB with l2population)."""
    net = next((n for n in model.networks.values() if n.network_type == "vxlan" and n.segmentation_id == vni), None)
    if net is None:
        return []
    ips = {model.hosts[h].tunnel_ip for h in model.hosts_of_network(net.id) if h != host}
    return sorted((ip for ip in ips if ip), key=ipaddress.ip_address)


def _links(pl: HostPlumbing, ns_index: dict[tuple[str, str], int]) -> list[Link]:
    out = []
    for d in pl.devices:
        if d.kind == "loopback":
            lo = _loopback()
            if d.ip and d.ip != "127.0.0.1":   # a routed tunnel address on the loopback
                lo.inet.append(Inet(d.ip, d.prefix or 32, "global"))
            out.append(lo)
            continue
        up = d.state != "DOWN"
        internal = d.kind in ("ovs-system", "ovs-internal")
        flags = ("BROADCAST", "MULTICAST") if internal else (
            ("BROADCAST", "MULTICAST", "PROMISC", "UP", "LOWER_UP") if d.kind == "veth" and d.master == "ovs-system"
            else _UP if up else ("NO-CARRIER", "BROADCAST", "MULTICAST", "UP"))
        link = Link(d.ifindex, d.name, d.mac, mtu=d.mtu, kind=d.kind, flags=flags,
                    state="DOWN" if internal or not up else ("UNKNOWN" if d.kind in ("tun", "vxlan") else "UP"),
                    qdisc="noop" if internal else ("mq" if d.kind == "physical" else "noqueue"), master=d.master)
        if d.kind == "veth" and d.peer_netns:
            link.peer, link.link_netns = f"if{ns_index.get((d.peer_netns, d.peer or ''), 2)}", d.peer_netns
        elif d.kind == "veth" and d.peer:
            link.peer = d.peer
        elif d.kind == "vlan" and d.parent:
            link.peer = d.parent
            link.details = f"vlan protocol 802.1Q id {d.vlan_id} <REORDER_HDR>"
            link.vlan_id = d.vlan_id
        elif d.kind == "vxlan":
            link.details = (f"vxlan id {d.vxlan_id} dev {d.parent} srcport 0 0 dstport 8472 ageing 300 "
                            f"udpcsum noudp6zerocsumtx noudp6zerocsumrx")
        if d.ip and d.prefix is not None:
            link.inet.append(Inet(d.ip, d.prefix))
        if up and not internal and d.kind != "vxlan":
            link.inet6.append(Inet6(link_local(d.mac), 64))
        if d.kind == "physical":
            link.device_path = f"pci0000:00/{d.pci or '0000:00:03.0'}"
            link.ethtool = Ethtool("copper", f"{d.speed_mbps or 1000}Mb/s", "Full", up)
        out.append(link)
    return out


def _namespaces(pl: HostPlumbing) -> tuple[list[Namespace], dict[tuple[str, str], int]]:
    """Namespaces with their own interface numbering (lo = 1); also (ns, ifname) -> that local index."""
    host_index = {d.name: d.ifindex for d in pl.devices}
    local: dict[tuple[str, str], int] = {}
    out = []
    for ns in pl.namespaces:
        links = [_loopback()]
        for i in sorted(ns.interfaces, key=lambda x: x.ifindex):
            n = len(links) + 1
            local[(ns.name, i.name)] = n
            link = Link(n, i.name, i.mac, mtu=i.mtu, kind=i.kind, state="UP" if i.kind == "veth" else "UNKNOWN",
                        inet=([Inet(i.ip, i.prefix)] if i.ip and i.prefix is not None else [])
                        + [Inet(a, 32) for a in i.floating],
                        inet6=[Inet6(link_local(i.mac), 64)])
            if i.kind == "veth" and i.peer:
                link.peer, link.link_netnsid = f"if{host_index.get(i.peer, i.peer_ifindex or 0)}", 0
            links.append(link)
        out.append(Namespace(ns.name, ns.nsid, links))
    return out, local


def _ovs(pl: HostPlumbing, version: str | None, datapath: str = "system") -> Ovs:
    bridges = []
    q = Quoted(version)
    for b in pl.ovs_bridges:
        ports = mapped(b.ports, lambda p: OvsPort(p.name, tag=p.tag, type=p.type or None, options=[
            (k, q[v if type(v) is str else str(v)]) for k, v in p.options.items()]))
        bridges.append(OvsBridge(b.name, ports, b.controller, b.fail_mode,
                                 None if b.datapath_type in ("", "system") else b.datapath_type))
    dp = [DatapathPort(d.number, d.name, d.extra or ("internal" if d.internal else None)) for d in pl.datapath]
    return Ovs(uuid="", bridges=bridges, version=version, datapath=datapath, datapath_ports=dp)


def build(model, host_name: str) -> HostView:
    """The view of one host of `model` (takes `model.lock`)."""
    with model.lock:
        h = model.host(host_name)
        pl = plumbing(model, host_name)
        style = "old" if model.params.release == "old" else "current"
        namespaces, ns_index = _namespaces(pl)
        links = _links(pl, ns_index)
        for link in links:
            if link.kind == "vxlan":
                vni = next((d.vxlan_id for d in pl.devices if d.name == link.name), None)
                link.remotes = _vxlan_remotes(model, host_name, vni)

        ovs = None
        if pl.ovs_bridges:
            ovs = _ovs(pl, "2.9.2" if style == "old" else "3.1.0", model.params.datapath)
            ovs.uuid = h.ovs_uuid
        vpp = None
        if pl.vpp_interfaces:
            nic_ip = {n.name: f"{n.ip}/{n.prefix}" for n in h.pnics if n.ip}
            vpp = Vpp(interfaces=[VppInterface(i.name, i.idx, i.state, i.mac, i.mtu, None, i.bd_id, i.shg,
                                               [nic_ip[i.name]] if i.name in nic_ip else [])
                                  for i in pl.vpp_interfaces])
        direct = [p for p in model.ports_on_host(host_name) if p.vnic_type == "direct"]
        for link in links:
            if any(n.name == link.name and n.role == "sriov" for n in h.pnics):
                vfs = [VF(k, p.mac_address, model.networks[p.network_id].segmentation_id)
                       for k, p in enumerate(direct)]
                link.vfs = vfs + [VF(k) for k in range(len(vfs), max(len(vfs) + 1, 4))]
        domains = []
        for d in pl.domains:
            inst = model.instances.get(d.uuid)
            flavor = model.flavors.get(inst.flavor_id) if inst else None
            project = model.projects.get(inst.project_id) if inst else None
            user = next((u for u in model.users.values() if inst and u.id == inst.user_id), None)
            dom = Domain(d.id, d.name, d.uuid, state=d.state if d.id is not None else "shut off",
                         display_name=d.display_name, project_id=inst.project_id if inst else "",
                         project_name=project.name if project else "", user_id=inst.user_id if inst else "",
                         user_name=user.name if user else "admin", flavor=flavor.name if flavor else "m1.tiny",
                         memory_mb=d.memory_kib // 1024, vcpus=d.vcpus, disk_gb=flavor.disk if flavor else 1,
                         image_id=inst.image_id if inst else "",
                         created=(inst.created_at if inst else "").replace("T", " ").rstrip("Z"))
            for i in d.interfaces:
                port = model.ports.get(i.port_id)
                ips = [ip["ip_address"] for ip in port.fixed_ips] if port else []
                dom.interfaces.append(DomainInterface(i.type, i.mac, i.port_id, i.source_bridge, i.target_dev,
                                                      i.source_path, i.mtu, i.vlan, ips, i.virtualport, i.alias))
            domains.append(dom)
        tools = {"brctl"}
        if h.is_compute:
            tools.add("virsh")
        if model.params.distribution.lower() in ("mercury", "kolla"):
            tools.add("docker")
        if model.params.ethtool:
            tools.add("ethtool")

        return HostView(name=h.name, hostname=h.machine_name or h.name, os_release=_os_lines(h.os or {}),
                        arch=str((h.os or {}).get("ARCHITECTURE", "x86_64")), style=style, links=links,
                        namespaces=sorted(namespaces, key=lambda n: n.name), bridges=[
                            LinuxBridge(b.name, b.bridge_id, "yes" if b.stp else "no", list(b.members))
                            for b in pl.linux_bridges],
                        ovs=ovs, vpp=vpp, domains=domains, tools=frozenset(tools))
