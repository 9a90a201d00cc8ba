"""The recorded Zed host (tests/fixtures/openstack-zed/cli/) as a HostView.

The link/OVS/bridge facts are read from the recorded outputs with small parsers written for this
test only; the renderers must then print those same files back byte for byte.
"""

from __future__ import annotations

import re

from simulator.hostview import (
    DatapathPort, Domain, DomainInterface, Ethtool, HostView, Inet, Inet6, Link, LinuxBridge, Namespace, Ovs,
    OvsBridge, OvsPort,
)
from tests.fixtures import ZED

CLI = ZED / "cli"

_HEADER = re.compile(r"^(\d+): ([^:@]+)(?:@([^:]+))?: <([^>]*)> mtu (\d+) qdisc (\S+)(?: master (\S+))? state (\S+)"
                     r"(?: mode \S+)? group default(?: qlen (\d+))?$")


def recorded(name: str) -> str:
    return (CLI / name).read_text()


def parse_ip_address(text: str) -> list[Link]:
    links: list[Link] = []
    for line in text.splitlines():
        m = _HEADER.match(line)
        if m:
            idx, name, peer, flags, mtu, qdisc, master, state, qlen = m.groups()
            links.append(Link(index=int(idx), name=name, peer=peer, flags=tuple(flags.split(",")), mtu=int(mtu),
                              qdisc=qdisc, master=master, state=state, qlen=int(qlen) if qlen else None, mac=""))
            continue
        link = links[-1]
        words = line.split()
        if words[0] == "link/loopback":
            link.kind, link.mac = "loopback", words[1]
        elif words[0] == "link/ether":
            link.mac = words[1]
            if "link-netns" in words:
                link.link_netns = words[words.index("link-netns") + 1]
            if "link-netnsid" in words:
                link.link_netnsid = int(words[words.index("link-netnsid") + 1])
        elif words[0] == "inet":
            addr, prefix = words[1].split("/")
            link.inet.append(Inet(addr, int(prefix), words[words.index("scope") + 1]))
        elif words[0] == "inet6":
            addr, prefix = words[1].split("/")
            rest = words[words.index("scope") + 2:]
            link.inet6.append(Inet6(addr, int(prefix), words[words.index("scope") + 1], " ".join(rest)))
    return links


def parse_vsctl_show(text: str) -> Ovs:
    lines = text.splitlines()
    ovs = Ovs(uuid=lines[0], version=None, datapath="netdev")
    br = port = None
    for line in lines[1:]:
        s = line.strip()
        if line.startswith("    Bridge "):
            br = OvsBridge(s.split()[1], controller=None, fail_mode=None)
            ovs.bridges.append(br)
        elif line.startswith('        Controller '):
            br.controller = s.split('"')[1]
        elif s.startswith("fail_mode:"):
            br.fail_mode = s.split()[1]
        elif s.startswith("datapath_type:"):
            br.datapath_type = s.split()[1]
        elif line.startswith("        Port "):
            port = OvsPort(s.split()[1])
            br.ports.append(port)
        elif s.startswith("tag:"):
            port.tag = int(s.split()[1])
        elif s.startswith("type:"):
            port.type = s.split()[1]
        elif s.startswith("options:"):
            port.options = [tuple(kv.split("=", 1)) for kv in s[len("options: {"):-1].split(", ")]
    return ovs


def parse_brctl(text: str) -> list[LinuxBridge]:
    bridges: list[LinuxBridge] = []
    for line in text.splitlines()[1:]:
        if line.startswith("\t"):
            bridges[-1].interfaces.append(line.strip())
        else:
            name, bid, stp, *members = line.split()
            bridges.append(LinuxBridge(name, bid, stp, members))
    return bridges


def zed_host() -> HostView:
    links = parse_ip_address(recorded("ip_address_show.txt"))
    by_name = {l.name: l for l in links}
    by_name["eth0"].device_path = "pci0000:00/0000:00:03.0/virtio2"
    by_name["eth0"].ethtool = Ethtool(kind="virtio", speed="Unknown!", duplex="Unknown! (255)")
    by_name["tap4c8a389f-a2"].ethtool = Ethtool(kind="tap", speed="10000Mb/s", duplex="Full")
    namespaces = []
    for line in recorded("ip_netns_list.txt").splitlines():
        name, nsid = line.split(" (id: ")
        ns_links = parse_ip_address(recorded(f"ip_netns_exec_{name}_ip_address_show.txt"))
        namespaces.append(Namespace(name, int(nsid.rstrip(")")), ns_links))
    bridges = parse_brctl(recorded("brctl_show.txt"))
    for br in bridges:
        by_name[br.name].kind = "bridge"
    ovs = parse_vsctl_show(recorded("ovs-vsctl_show.txt"))
    for line in recorded("ovs-appctl_dpctl_show.txt").splitlines():
        m = re.match(r"\s+port (\d+): (\S+)(?: \((\w+)\))?$", line)
        if m:
            ovs.datapath_ports.append(DatapathPort(int(m[1]), m[2], "internal" if m[3] == "tap" else m[3]))
    project = "3d6ab10660f64569bc715f8d7b1bc964"
    vm1 = Domain(1, "instance-00000001", "544716d7-d703-4f86-a60c-801a01f64b4d", display_name="vm1",
                 project_id=project, project_name="admin",
                 interfaces=[DomainInterface("bridge", "fa:16:3e:a8:49:e0", "4c8a389f-a2f7-439c-a6d6-70ec3f463459",
                                             "qbr4c8a389f-a2", "tap4c8a389f-a2", mtu=1450, ips=["10.0.0.104"])])
    vm2 = Domain(2, "instance-00000002", "b1484376-582d-489b-a1e1-084401a863fe", display_name="vm2",
                 project_id=project, project_name="admin",
                 interfaces=[DomainInterface("bridge", "fa:16:3e:41:77:bf", "28fb3371-d1bd-45dc-944b-9ce312f51bdb",
                                             "qbr28fb3371-d1", "tap28fb3371-d1", mtu=1450, ips=["10.0.0.107"]),
                             DomainInterface("bridge", "fa:16:3e:22:87:78", "a9954aee-fdbd-4ec6-b990-e0d1db06c639",
                                             "qbra9954aee-fd", "tapa9954aee-fd", mtu=1450, ips=["10.0.1.139"])])
    os_release = recorded("cat_etc_os-release_and_echo_ARCHITECTURE_cvim.txt").splitlines()[:-1]
    return HostView(name="compute1", hostname="vm", os_release=os_release, style="current", links=links,
                    namespaces=namespaces, bridges=bridges, ovs=ovs,
                    domains=[vm1, vm2])
