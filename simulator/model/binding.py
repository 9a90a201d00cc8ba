"""Host plumbing of ports: what binding a port to a host allocates there (interface indexes, OVS
datapath ports, local VLAN tags, VPP interfaces, namespaces) and the names its devices get.

The numbers live on the `Host` (`simulator.model.entities`) and only grow, as a kernel's do, so a
device keeps its number for the model's life; `simulator.model.plumbing` reads them back to say
what a host shows.
"""

from __future__ import annotations

import time

from simulator.model.entities import Host, Port
from simulator.model.ids import dev_name

#: how a port is plugged into its host, by mechanism driver
VIF_TYPE = {"ovs": "ovs", "linuxbridge": "bridge", "vpp": "vhostuser"}


def ifindex(host: Host, name: str) -> int:
    """The host's interface index of device `name`, allocated on first sight (never reused)."""
    if name not in host.ifindexes:
        host.next_ifindex += 1
        host.ifindexes[name] = host.next_ifindex
    return host.ifindexes[name]


def ofport(host: Host, name: str) -> int:
    """The OVS datapath port number of `name` on the host, allocated on first sight."""
    if name not in host.ofports:
        host.next_ofport += 1
        host.ofports[name] = host.next_ofport
    return host.ofports[name]


def local_vlan(host: Host, network_id: str) -> int:
    """The host's local VLAN tag of a network (br-int), the lowest one free."""
    if network_id not in host.local_vlans:
        used = set(host.local_vlans.values())
        tag = 1
        while tag in used:
            tag += 1
        host.local_vlans[network_id] = tag
    return host.local_vlans[network_id]


def provider_nic(host: Host) -> str:
    """The NIC of physnet1 (LXB VLAN sub-interfaces): its own NIC in a mixed cloud, else the data NIC."""
    nic = next((p for p in host.pnics if p.role == "provider"), None) or \
        next((p for p in host.pnics if p.role == "tunnel"), None)
    return nic.name if nic else "eth1"


class PortBinding:
    """Part of `simulator.model.core.Model`: binding and unbinding ports on hosts (its port indexes
    included), and the names of namespace ports. Called with the model's lock held."""

    def _bind(self, port: Port, host_name: str) -> None:
        """Bind a port to a host: allocate the host devices, local VLAN and datapath ports it gets."""
        host = self.hosts[host_name]
        driver = self.params.mechanism_driver
        port.host = host_name
        if not self._building and self.params.agent_delay > 0:   # the agents plumb it later than the API says
            port.plugged_at = time.time() + self.params.agent_delay
            self.settled_at = max(self.settled_at, port.plugged_at)
        port.vif_type = "hw_veb" if port.vnic_type == "direct" else VIF_TYPE[driver]
        port.status = "ACTIVE" if port.admin_state_up else "DOWN"
        port.vif_details = self._vif_details(port)
        self._ports_by_host[host_name][port.id] = None
        counts = self._net_hosts[port.network_id]
        counts[host_name] = counts.get(host_name, 0) + 1
        net = self.networks[port.network_id]
        owner = port.device_owner
        if driver == "ovs":
            local_vlan(host, port.network_id)
            if owner.startswith("compute"):
                for prefix in ("tap", "qbr", "qvb", "qvo"):
                    ifindex(host, dev_name(prefix, port.id))
                ofport(host, dev_name("qvo", port.id))
            else:
                self._plug_namespace_port(host, port)
        elif driver == "linuxbridge":
            ifindex(host, dev_name("brq", net.id))
            if net.network_type in ("vxlan", "gre"):
                ifindex(host, f"vxlan-{net.segmentation_id}")
            elif net.network_type == "vlan":
                ifindex(host, f"{provider_nic(host)}.{net.segmentation_id}")
            if owner.startswith("compute"):
                ifindex(host, dev_name("tap", port.id))
            else:
                self._plug_namespace_port(host, port)
        elif driver == "vpp":
            if owner.startswith("compute"):
                host.vpp_ifaces[port.id] = f"VirtualEthernet0/0/{host.next_vpp_virtual}"
                host.next_vpp_virtual += 1
            else:
                n = sum(1 for v in host.vpp_ifaces.values() if v.startswith("tap"))
                host.vpp_ifaces[port.id] = f"tap{n}"
                self._plug_namespace_port(host, port)

    def _plug_namespace_port(self, host: Host, port: Port) -> None:
        ns = self.namespace_of_port(port)
        if ns is None:
            return
        if ns not in host.netns_ids:
            host.netns_ids[ns] = len(host.netns_ids)
        ifindex(host, f"{ns}/{self.ns_ifname(port)}")
        if self.ns_uses_veth():
            ifindex(host, dev_name("tap", port.id))
        if self.params.mechanism_driver == "ovs":
            ofport(host, self.ns_bridge_port(port))

    def _unbind(self, port: Port) -> None:
        if not port.host:
            return
        self._ports_by_host[port.host].pop(port.id, None)
        counts = self._net_hosts[port.network_id]
        counts[port.host] = counts.get(port.host, 1) - 1
        if counts[port.host] <= 0:
            counts.pop(port.host, None)
            host = self.hosts.get(port.host)
            if host is not None:
                host.local_vlans.pop(port.network_id, None)
        host = self.hosts.get(port.host)
        if host is not None:
            host.vpp_ifaces.pop(port.id, None)
        port.host, port.vif_type, port.status, port.vif_details = "", "unbound", "DOWN", {}

    def _vif_details(self, port: Port) -> dict:
        driver = self.params.mechanism_driver
        if driver == "ovs":
            hybrid = port.device_owner.startswith("compute")
            return {"connectivity": "l2", "port_filter": True, "ovs_hybrid_plug": hybrid,
                    "datapath_type": self.params.datapath, "bridge_name": "br-int",
                    "bound_drivers": {"0": "openvswitch"}}
        if driver == "linuxbridge":
            return {"connectivity": "l2", "port_filter": True, "bound_drivers": {"0": "linuxbridge"}}
        return {"vhostuser_socket": f"/var/run/vpp/{port.id}", "vhostuser_mode": "server",
                "bound_drivers": {"0": "vpp"}}

    def ns_uses_veth(self) -> bool:
        """Namespace interfaces are veths with a `tap<id>` peer (Zed, ovs_use_veth; always for LXB)."""
        return self.params.mechanism_driver == "linuxbridge" or (
            self.params.mechanism_driver == "ovs" and self.params.release == "current")

    def namespace_of_port(self, port: Port) -> str | None:
        if port.device_owner == "network:dhcp":
            return f"qdhcp-{port.network_id}"
        if port.device_owner in ("network:router_interface", "network:router_gateway"):
            return f"qrouter-{port.device_id}"
        return None

    def ns_ifname(self, port: Port) -> str:
        """Interface name inside the namespace: qr-/qg- for routers; DHCP `ns-` (veth) or `tap` (OVS internal)."""
        if port.device_owner == "network:router_interface":
            return dev_name("qr-", port.id)
        if port.device_owner == "network:router_gateway":
            return dev_name("qg-", port.id)
        return dev_name("ns-" if self.ns_uses_veth() else "tap", port.id)

    def ns_bridge_port(self, port: Port) -> str:
        """Name of the bridge-side device of a namespace port (OVS br-int port or brq member)."""
        return dev_name("tap", port.id) if self.ns_uses_veth() else self.ns_ifname(port)
