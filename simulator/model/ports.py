"""Ports: their mutations, unique device names and notifications (binding them: `simulator.model.binding`)."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from simulator.model.entities import Network, Port
from simulator.model.errors import BadRequest, Conflict


class Ports:
    """Part of `simulator.model.core.Model`: Neutron ports."""

    def new_port_id(self) -> str:
        """A port uuid whose 11-char device prefix is unique in the cloud (vim-contract §7.8 #20)."""
        while True:
            pid = self.ids.uuid()
            if pid[:11] not in self._dev_names:
                self._dev_names.add(pid[:11])
                return pid

    def create_port(self, network_id: str, name: str = "", project_id: str | None = None,
                    fixed_ips: list[dict] | None = None, mac_address: str | None = None, device_owner: str = "",
                    device_id: str = "", host: str = "", admin_state_up: bool = True, vnic_type: str = "normal",
                    security_groups: list[str] | None = None, description: str = "") -> Port:
        with self._mutation():
            net = self.get("network", network_id)
            if host and host not in self.hosts:
                raise BadRequest(f"Invalid input: binding:host_id {host} is not a known host")
            port = self._create_port(net, name, project_id or net.project_id, fixed_ips, mac_address, device_owner,
                                     device_id, host, admin_state_up, vnic_type, security_groups, description)
            self._emit_port("create", port)
            return port

    def _emit_port(self, action: str, port: Port) -> None:
        host = self._neutron_host(self.networks[port.network_id].region if port.network_id in self.networks
                                  else None)
        self._emit(f"port.{action}.start", "neutron", host,
                   {"port": {"network_id": port.network_id, "name": port.name}}
                   if action == "create" else {"port_id": port.id} if action == "delete" else {"id": port.id},
                   port.project_id)
        data = {"port": replace(port)}
        if action == "delete":
            data = {"port_id": port.id} | data
        self._emit(f"port.{action}.end", "neutron", host, data, port.project_id)

    def _create_port(self, net: Network, name: str = "", project_id: str | None = None,
                     fixed_ips: list[dict] | None = None, mac_address: str | None = None, device_owner: str = "",
                     device_id: str = "", host: str = "", admin_state_up: bool = True, vnic_type: str = "normal",
                     security_groups: list[str] | None = None, description: str = "") -> Port:
        pid = self._project_id(project_id)
        ips: list[dict] = []
        if fixed_ips is None:
            sub = next((self.subnets[s] for s in net.subnets), None)
            if sub is not None:
                ips.append({"subnet_id": sub.id, "ip_address": self._allocate_ip(sub)})
        else:
            for f in fixed_ips:
                sid = f.get("subnet_id") or next(
                    (s for s in net.subnets if f.get("ip_address") and ipaddress.ip_address(f["ip_address"])
                     in ipaddress.ip_network(self.subnets[s].cidr)), None)
                if sid not in net.subnets:
                    raise BadRequest(f"Invalid input for fixed_ips: subnet {sid} is not on network {net.id}")
                ips.append({"subnet_id": sid, "ip_address": self._allocate_ip(self.subnets[sid],
                                                                             f.get("ip_address"))})
        if mac_address:
            if any(p.mac_address == mac_address for p in self.ports_of_network(net.id)):
                raise Conflict(f"Unable to complete operation for network {net.id}. "
                               f"The mac address {mac_address} is in use.")
            self.ids.reserve_mac(mac_address)
        if security_groups is None:
            sg = next((g.id for g in self.security_groups.values() if g.project_id == pid and g.name == "default"),
                      None)
            security_groups = [sg] if sg and not device_owner.startswith("network:") else []
        now = self.now()
        port = Port(id=self.new_port_id(), name=name, network_id=net.id, project_id=pid,
                    mac_address=mac_address or self.ids.port_mac(), fixed_ips=ips, device_owner=device_owner,
                    device_id=device_id, host="", vnic_type=vnic_type, admin_state_up=admin_state_up,
                    security_groups=list(security_groups), description=description, created_at=now,
                    updated_at=now)
        self.ports[port.id] = port
        self._ports_by_network[net.id][port.id] = None
        if host:
            self._bind(port, host)
        return port

    def update_port(self, port_id: str, **changes) -> Port:
        allowed = {"name", "admin_state_up", "description", "device_owner", "device_id", "host",
                   "security_groups", "vnic_type"}
        with self._mutation():
            port = self.get("port", port_id)
            bad = set(changes) - allowed
            if bad:
                raise BadRequest(f"Cannot update read-only attribute {sorted(bad)[0]}")
            new_host = changes.pop("host", None)
            for k, v in changes.items():
                setattr(port, k, v)
            if new_host is not None and new_host != port.host:
                if new_host and new_host not in self.hosts:
                    raise BadRequest(f"Invalid input: binding:host_id {new_host} is not a known host")
                self._unbind(port)
                if new_host:
                    self._bind(port, new_host)
            if port.host:
                port.status = "ACTIVE" if port.admin_state_up else "DOWN"
            port.updated_at, port.revision_number = self.now(), port.revision_number + 1
            self._emit_port("update", port)
            return port

    def delete_port(self, port_id: str) -> None:
        with self._mutation():
            port = self.get("port", port_id)
            if port.device_owner == "network:router_interface":
                raise Conflict(f"Port {port.id} cannot be deleted directly via the port API: "
                               f"has device owner network:router_interface.")
            inst = self.instances.get(port.device_id)
            if inst is not None and port.id in inst.port_ids:
                inst.port_ids.remove(port.id)
            self._delete_port(port, notify=True)

    def _delete_port(self, port: Port, notify: bool) -> None:
        self._unbind(port)
        self.ports.pop(port.id, None)
        self._ports_by_network[port.network_id].pop(port.id, None)
        self.ids.release_mac(port.mac_address)
        if notify:
            self._emit_port("delete", port)
