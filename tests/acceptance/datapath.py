"""The hosts' real datapath, read with their own commands and parsed here, independently of Calipso's parsers.

A graph of what is plugged into what: devices, Linux and OVS bridges and their ports, veth pairs (across
namespaces too), OVS patch ports, network namespaces and their devices, libvirt domains and their taps, and
the tunnels between hosts (OVS br-tun ports towards another host's local IP; Linux bridge vxlan devices whose
forwarding entries name it). Node names: `host:dev:NAME`, `host:ns:NS`, `host:ns:NS:dev:NAME`, `host:dom:UUID`.
"""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Callable

_NS_LINK = re.compile(r"^\d+:\s+([^:@\s]+)(?:@if(\d+)|@([^:\s]+))?:")
_IFACE_RECORD = re.compile(r"^(\w+)\s*:\s*(.*)$")


@dataclass
class HostFacts:
    """What one host's commands said (text as printed), enough to rebuild its datapath."""

    host: str
    links_json: str = "[]"                                     # ip -d -j link show
    ovs_ports: dict[str, list[str]] = field(default_factory=dict)   # bridge -> ovs-vsctl list-ports
    ovs_interfaces: str = ""                                   # ovs-vsctl list interface
    namespaces: dict[str, str] = field(default_factory=dict)   # name -> ip netns exec NAME ip address show
    domains: list[str] = field(default_factory=list)           # virsh dumpxml of each defined domain
    fdb: str = ""                                              # bridge fdb show (vxlan forwarding entries)
    local_ip: str | None = None                                # the host's tunnel endpoint address


def collect(host: str, run: Callable[[list[str]], str], local_ip: str | None) -> HostFacts:
    """Ask one host (through `run`, which returns a command's standard output) for its datapath."""
    facts = HostFacts(host, links_json=run(["ip", "-d", "-j", "link", "show"]) or "[]", local_ip=local_ip)
    for bridge in run(["ovs-vsctl", "--timeout=5", "list-br"]).split():
        facts.ovs_ports[bridge] = run(["ovs-vsctl", "--timeout=5", "list-ports", bridge]).split()
    if facts.ovs_ports:
        facts.ovs_interfaces = run(["ovs-vsctl", "--timeout=5", "list", "interface"])
    for line in run(["ip", "netns", "list"]).splitlines():
        if line.split():
            ns = line.split()[0]
            facts.namespaces[ns] = run(["ip", "netns", "exec", ns, "ip", "address", "show"])
    for name in run(["virsh", "-c", "qemu:///system", "list", "--all", "--name"]).split():
        facts.domains.append(run(["virsh", "-c", "qemu:///system", "dumpxml", name]))
    facts.fdb = run(["bridge", "fdb", "show"])
    return facts


def ovs_interface_records(text: str) -> list[dict[str, str]]:
    """`ovs-vsctl list interface`: blank-line separated `key : value` records."""
    records, current = [], {}
    for line in text.splitlines():
        if not line.strip():
            if current:
                records.append(current)
            current = {}
            continue
        m = _IFACE_RECORD.match(line)
        if m:
            current[m.group(1)] = m.group(2).strip()
    if current:
        records.append(current)
    return records


def ovs_map(value: str) -> dict[str, str]:
    """An OVS map column as printed: {peer=patch-int, remote_ip="192.168.222.2"}."""
    return {k: v.strip('"') for k, v in re.findall(r'([\w:-]+)=("[^"]*"|[^,}\s]+)', value or "")}


def _unquote(value: str) -> str:
    return value.strip().strip('"')


@dataclass
class Datapath:
    """Undirected adjacency between datapath nodes of every host, plus each host's tunnel endpoint."""

    edges: dict[str, set[str]] = field(default_factory=dict)
    local_ips: dict[str, str] = field(default_factory=dict)    # host -> tunnel local IP

    def join(self, a: str, b: str) -> None:
        if a != b:
            self.edges.setdefault(a, set()).add(b)
            self.edges.setdefault(b, set()).add(a)

    def has(self, node: str) -> bool:
        return node in self.edges

    def neighbours(self, node: str) -> set[str]:
        return self.edges.get(node, set())

    def nodes_like(self, prefix: str) -> list[str]:
        return sorted(n for n in self.edges if n.startswith(prefix))


def build(hosts: list[HostFacts]) -> Datapath:
    dp = Datapath()
    tunnels: list[tuple[str, str, str]] = []                   # (node, remote ip, kind)
    for f in hosts:
        if f.local_ip:
            dp.local_ips[f.host] = f.local_ip
        _root_links(dp, f)
        tunnels += _ovs(dp, f)
        _namespaces(dp, f)
        _domains(dp, f)
        tunnels += _vxlan_fdb(dp, f)
    _veths_between_hosts(dp, hosts)
    by_ip = {ip: host for host, ip in dp.local_ips.items()}
    for node, remote, kind in tunnels:
        other = by_ip.get(remote)
        if other is None:
            continue
        if kind == "ovs":
            dp.join(node, f"{other}:dev:br-tun")
        else:                                                  # vxlan-<VNI> towards the same VNI's device
            peer = f"{other}:dev:{node.rsplit(':dev:', 1)[1]}"
            if dp.has(peer):
                dp.join(node, peer)
    return dp


def _root_links(dp: Datapath, f: HostFacts) -> None:
    links = json.loads(f.links_json or "[]")
    by_index = {str(l.get("ifindex")): l["ifname"] for l in links}
    for l in links:
        me = f"{f.host}:dev:{l['ifname']}"
        dp.edges.setdefault(me, set())
        master = l.get("master")
        if master and master != "ovs-system":
            dp.join(me, f"{f.host}:dev:{master}")
        peer = l.get("link")
        if peer and "link_netnsid" not in l and l.get("linkinfo", {}).get("info_kind") == "veth":
            dp.join(me, f"{f.host}:dev:{peer}")
        elif peer is None and l.get("link_index") is not None and "link_netnsid" not in l \
                and str(l["link_index"]) in by_index and l.get("linkinfo", {}).get("info_kind") == "veth":
            dp.join(me, f"{f.host}:dev:{by_index[str(l['link_index'])]}")


def _veths_between_hosts(dp: Datapath, hosts: list[HostFacts]) -> None:
    """A veth whose peer lives in another host's namespace (compute2's c2-vlan for compute1's c1-vlan): each end
    names the other's index. Ends already joined to a namespace of their own host are not candidates."""
    ends = []
    for f in hosts:
        for l in json.loads(f.links_json or "[]"):
            node = f"{f.host}:dev:{l['ifname']}"
            if "link_netnsid" in l and l.get("linkinfo", {}).get("info_kind") == "veth" \
                    and not any(":ns:" in n for n in dp.neighbours(node)):
                ends.append((f.host, node, str(l.get("ifindex")), str(l.get("link_index"))))
    for host, node, index, peer in ends:
        for other_host, other, other_index, other_peer in ends:
            if other_host != host and other_index == peer and other_peer == index:
                dp.join(node, other)


def _ovs(dp: Datapath, f: HostFacts) -> list[tuple[str, str, str]]:
    tunnels = []
    for bridge, ports in f.ovs_ports.items():
        for port in ports:
            dp.join(f"{f.host}:dev:{port}", f"{f.host}:dev:{bridge}")
    for rec in ovs_interface_records(f.ovs_interfaces):
        name, kind, options = _unquote(rec.get("name", "")), rec.get("type", ""), ovs_map(rec.get("options", ""))
        if kind == "patch" and options.get("peer"):
            dp.join(f"{f.host}:dev:{name}", f"{f.host}:dev:{options['peer']}")
        elif kind in ("vxlan", "gre", "geneve") and options.get("remote_ip"):
            tunnels.append((f"{f.host}:dev:br-tun", options["remote_ip"], "ovs"))
    return tunnels


def _namespaces(dp: Datapath, f: HostFacts) -> None:
    root_by_index = {str(l.get("ifindex")): l["ifname"] for l in json.loads(f.links_json or "[]")}
    for ns, text in f.namespaces.items():
        ns_node = f"{f.host}:ns:{ns}"
        dp.edges.setdefault(ns_node, set())
        for line in text.splitlines():
            m = _NS_LINK.match(line)
            if not m or m.group(1) == "lo":
                continue
            dev = f"{ns_node}:dev:{m.group(1)}"
            dp.join(ns_node, dev)
            if m.group(2) and m.group(2) in root_by_index:     # a veth whose peer is in the root namespace
                dp.join(dev, f"{f.host}:dev:{root_by_index[m.group(2)]}")


def _domains(dp: Datapath, f: HostFacts) -> None:
    for xml in f.domains:
        root = ET.fromstring(xml)
        uuid = (root.findtext("uuid") or "").strip()
        for iface in root.iter("interface"):
            target = iface.find("target")
            if uuid and target is not None and target.get("dev"):
                dp.join(f"{f.host}:dom:{uuid}", f"{f.host}:dev:{target.get('dev')}")


def _vxlan_fdb(dp: Datapath, f: HostFacts) -> list[tuple[str, str, str]]:
    out = []
    for line in f.fdb.splitlines():
        m = re.search(r"\bdev (vxlan-\d+)\b.*\bdst (\S+)", line)
        if m:
            out.append((f"{f.host}:dev:{m.group(1)}", m.group(2), "vxlan"))
    return out


def instance_taps(f: HostFacts) -> dict[str, list[tuple[str, str]]]:
    """Domain uuid -> [(tap device, MAC)] as libvirt defines them (a stopped domain keeps its NICs)."""
    out: dict[str, list[tuple[str, str]]] = {}
    for xml in f.domains:
        root = ET.fromstring(xml)
        uuid = (root.findtext("uuid") or "").strip()
        for iface in root.iter("interface"):
            target, mac = iface.find("target"), iface.find("mac")
            out.setdefault(uuid, []).append((target.get("dev") if target is not None else "",
                                             mac.get("address") if mac is not None else ""))
    return out


def bridges(f: HostFacts) -> set[str]:
    """The host's Linux bridges (what brctl show lists)."""
    return {l["ifname"] for l in json.loads(f.links_json or "[]")
            if l.get("linkinfo", {}).get("info_kind") == "bridge"}
