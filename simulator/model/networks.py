"""Networks and subnets: their mutations, segmentation ids, IP allocation and each network's DHCP port."""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from simulator.model.entities import Network, Subnet
from simulator.model.errors import BadRequest, Conflict
from simulator.model.late_binding import bind_later, create_later


class Networks:
    """Part of `simulator.model.core.Model`: Neutron networks and subnets."""

    def _net_payload(self, net: Network) -> dict:
        return {"network": replace(net, subnets=list(net.subnets))}

    # ------------------------------------------------------------------ networks
    def create_network(self, name: str, project_id: str | None = None, region: str | None = None,
                       network_type: str | None = None, segmentation_id: int | None = None,
                       physical_network: str | None = None, external: bool = False, shared: bool = False,
                       admin_state_up: bool = True, mtu: int | None = None, description: str = "") -> Network:
        with self._mutation():
            net = self._create_network(name, project_id, region, network_type, segmentation_id, physical_network,
                                       external, shared, admin_state_up, mtu, description)
            self._emit("network.create.start", "neutron", self._neutron_host(net.region),
                       {"network": {"name": name}}, net.project_id)
            self._emit("network.create.end", "neutron", self._neutron_host(net.region), self._net_payload(net),
                       net.project_id)
            return net

    def _create_network(self, name, project_id, region, network_type, segmentation_id, physical_network,
                        external, shared, admin_state_up, mtu, description) -> Network:
        pid = self._project_id(project_id)
        region = region or next(iter(self.regions))
        if region not in self.regions:
            raise BadRequest(f"Unknown region {region}")
        ntype = network_type or ("flat" if external else self.params.type_driver)
        if ntype not in ("vxlan", "vlan", "gre", "flat", "geneve"):
            raise BadRequest(f"Invalid input for operation: network_type value '{ntype}' not supported.")
        used = {(n.network_type, n.segmentation_id) for n in self.networks.values()}
        if ntype == "flat":
            seg = None
            physnet = physical_network or ("external" if external else self._free_flat_physnet())
            if any(n.network_type == "flat" and n.physical_network == physnet for n in self.networks.values()):
                raise Conflict(f"Unable to create the flat network. Physical network {physnet} is in use.")
        elif ntype == "vlan":
            physnet = physical_network or "physnet1"
            seg = segmentation_id or next((v for v in range(100, 4095) if ("vlan", v) not in used), None)
            if seg is None:
                raise Conflict("Unable to create the network. No tenant network is available for allocation.")
        else:
            physnet = None
            seg = segmentation_id
            while seg is None or (ntype, seg) in used:
                seg = self.ids.randint(1, 16000)
        if (ntype, seg) in used and seg is not None:
            raise Conflict(f"Unable to create the network. The {ntype} {seg} is in use.")
        if mtu is None:
            mtu = 1450 if ntype == "vxlan" else (1458 if ntype == "gre" else 1500)
        now = self.now()
        net = Network(id=self.ids.uuid(), name=name, project_id=pid, region=region, network_type=ntype,
                      segmentation_id=seg, physical_network=physnet, mtu=mtu, external=external, shared=shared,
                      admin_state_up=admin_state_up, description=description, created_at=now, updated_at=now)
        net.dhcp_host = self._pick_network_node(region, len(self.networks))
        self.networks[net.id] = net
        if external and self.external_network_id is None:
            self.external_network_id = net.id
        return net

    def _free_flat_physnet(self) -> str:
        """The first physical network the agents map that no flat network uses yet."""
        used = {n.physical_network for n in self.networks.values() if n.network_type == "flat"}
        mapped = sorted({p for h in self.hosts.values() for p in h.bridge_mappings if p != "external"},
                        key=lambda p: (len(p), p))
        return next((p for p in mapped if p not in used), f"physnet{len(self.networks) + 1}")

    def update_network(self, network_id: str, **changes) -> Network:
        allowed = {"name", "admin_state_up", "shared", "description", "mtu", "external", "port_security_enabled"}
        with self._mutation():
            net = self.get("network", network_id)
            bad = set(changes) - allowed
            if bad:
                raise BadRequest(f"Cannot update read-only attribute {sorted(bad)[0]}")
            self._emit("network.update.start", "neutron", self._neutron_host(net.region),
                       {"network": dict(changes), "id": net.id}, net.project_id)
            for k, v in changes.items():
                setattr(net, k, v)
            net.updated_at, net.revision_number = self.now(), net.revision_number + 1
            self._emit("network.update.end", "neutron", self._neutron_host(net.region), self._net_payload(net),
                       net.project_id)
            return net

    def delete_network(self, network_id: str) -> None:
        with self._mutation():
            net = self.get("network", network_id)
            busy = [p for p in self.ports_of_network(net.id) if p.device_owner not in ("network:dhcp", "")
                    or (p.device_owner == "" and p.device_id)]
            if busy:
                raise Conflict(f"Unable to complete operation on network {net.id}. "
                               f"There are one or more ports still in use on the network.")
            host = self._neutron_host(net.region)
            self._emit("network.delete.start", "neutron", host, {"network_id": net.id}, net.project_id)
            for port in self.ports_of_network(net.id):
                self._delete_port(port, notify=False)
            for sid in list(net.subnets):
                self.subnets.pop(sid, None)
            del self.networks[net.id]
            if self.external_network_id == net.id:
                self.external_network_id = None
            self._emit("network.delete.end", "neutron", host,
                       {"network_id": net.id} | self._net_payload(net), net.project_id)

    # ------------------------------------------------------------------ subnets
    def create_subnet(self, network_id: str, cidr: str, name: str = "", gateway_ip: str | None = "auto",
                      enable_dhcp: bool = True, project_id: str | None = None, ip_version: int = 4,
                      allocation_pools: list[dict] | None = None, dns_nameservers: list[str] | None = None,
                      description: str = "") -> Subnet:
        with self._mutation():
            net = self.get("network", network_id)
            host = self._neutron_host(net.region)
            self._emit("subnet.create.start", "neutron", host, {"subnet": {"network_id": network_id, "cidr": cidr,
                                                                          "name": name}}, net.project_id)
            sub = self._create_subnet(net, cidr, name, gateway_ip, enable_dhcp, project_id, ip_version,
                                      allocation_pools, dns_nameservers, description)
            self._emit("subnet.create.end", "neutron", host, {"subnet": replace(sub)}, sub.project_id)
            return sub

    def _create_subnet(self, net, cidr, name, gateway_ip, enable_dhcp, project_id, ip_version,
                       allocation_pools, dns_nameservers, description) -> Subnet:
        try:
            network = ipaddress.ip_network(cidr, strict=False)
        except ValueError:
            raise BadRequest(f"Invalid input for cidr. Reason: '{cidr}' is not a valid IP subnet.") from None
        if network.version != 4:
            raise BadRequest("Only IPv4 subnets are simulated.")
        if network.num_addresses < 4:
            raise BadRequest(f"Invalid input for cidr. Reason: '{cidr}' is too small.")
        for other in self.subnets.values():
            if ipaddress.ip_network(other.cidr).overlaps(network) and (
                    other.network_id == net.id or self.networks[other.network_id].region == net.region):
                raise BadRequest(f"Invalid input for operation: Requested subnet with cidr: {network} for "
                                 f"network: {net.id} overlaps with another subnet.")
        if gateway_ip == "auto":
            gateway_ip = str(network.network_address + 1)
        pools = allocation_pools or [{"start": str(network.network_address + 2),
                                      "end": str(network.broadcast_address - 1)}]
        now = self.now()
        sub = Subnet(id=self.ids.uuid(), name=name, network_id=net.id,
                     project_id=self._project_id(project_id or net.project_id), cidr=str(network),
                     gateway_ip=gateway_ip, enable_dhcp=enable_dhcp, ip_version=ip_version, allocation_pools=pools,
                     dns_nameservers=list(dns_nameservers or []), description=description,
                     created_at=now, updated_at=now)
        self.subnets[sub.id] = sub
        net.subnets.append(sub.id)
        net.revision_number += 1
        if enable_dhcp:
            self._ensure_dhcp_port(net, sub)
        return sub

    def _ensure_dhcp_port(self, net: Network, sub: Subnet) -> None:
        """The DHCP agent's port (first port of the network; Q14) with an address in the subnet."""
        if not net.dhcp_host:
            return
        dhcp = next((p for p in self.ports_of_network(net.id) if p.device_owner == "network:dhcp"), None)
        if dhcp is None:
            ip = str(ipaddress.ip_network(sub.cidr).network_address + 2)
            if ip == sub.gateway_ip:
                ip = self._allocate_ip(sub)
            late = not self._building and self.params.agent_delay > 0   # the agent binds it: unbound and DOWN first
            if late and self.params.dhcp_port_events == "none":
                create_later(self, net.id, sub.id, ip, self.params.agent_delay)
                return
            port = self._create_port(net, name="", project_id=net.project_id,
                                     fixed_ips=[{"subnet_id": sub.id, "ip_address": ip}],
                                     device_owner="network:dhcp", device_id=f"dhcp-{net.dhcp_host}-{net.id}",
                                     host="" if late else net.dhcp_host)
            if late:
                bind_later(self, port.id, net.dhcp_host, self.params.agent_delay)
        elif not any(f["subnet_id"] == sub.id for f in dhcp.fixed_ips):
            dhcp.fixed_ips.append({"subnet_id": sub.id, "ip_address": self._allocate_ip(sub)})

    def update_subnet(self, subnet_id: str, **changes) -> Subnet:
        allowed = {"name", "enable_dhcp", "gateway_ip", "dns_nameservers", "description", "host_routes",
                   "allocation_pools"}
        with self._mutation():
            sub = self.get("subnet", subnet_id)
            bad = set(changes) - allowed
            if bad:
                raise BadRequest(f"Cannot update read-only attribute {sorted(bad)[0]}")
            net = self.networks[sub.network_id]
            host = self._neutron_host(net.region)
            self._emit("subnet.update.start", "neutron", host, {"subnet": dict(changes), "id": sub.id},
                       sub.project_id)
            turned_on = changes.get("enable_dhcp") is True and not sub.enable_dhcp
            for k, v in changes.items():
                setattr(sub, k, v)
            if turned_on:
                self._ensure_dhcp_port(net, sub)
            sub.updated_at, sub.revision_number = self.now(), sub.revision_number + 1
            self._emit("subnet.update.end", "neutron", host, {"subnet": replace(sub)}, sub.project_id)
            return sub

    def delete_subnet(self, subnet_id: str) -> None:
        with self._mutation():
            sub = self.get("subnet", subnet_id)
            net = self.networks[sub.network_id]
            users = [p for p in self.ports_of_network(net.id)
                     if p.device_owner != "network:dhcp" and any(f["subnet_id"] == sub.id for f in p.fixed_ips)]
            if users:
                raise Conflict(f"Unable to complete operation on subnet {sub.id}: "
                               f"One or more ports have an IP allocation from this subnet.")
            host = self._neutron_host(net.region)
            self._emit("subnet.delete.start", "neutron", host, {"subnet_id": sub.id}, sub.project_id)
            for p in self.ports_of_network(net.id):
                if p.device_owner == "network:dhcp":
                    p.fixed_ips = [f for f in p.fixed_ips if f["subnet_id"] != sub.id]
                    if not p.fixed_ips:
                        self._delete_port(p, notify=False)
            net.subnets.remove(sub.id)
            del self.subnets[sub.id]
            self._emit("subnet.delete.end", "neutron", host, {"subnet_id": sub.id, "subnet": replace(sub)},
                       sub.project_id)

    def _allocate_ip(self, subnet: Subnet, wanted: str | None = None) -> str:
        net = ipaddress.ip_network(subnet.cidr)
        taken = {ip["ip_address"] for p in self.ports_of_network(subnet.network_id) for ip in p.fixed_ips}
        if wanted:
            if ipaddress.ip_address(wanted) not in net:
                raise BadRequest(f"IP address {wanted} is not a valid IP for the specified subnet.")
            if wanted in taken:
                raise Conflict(f"IP address {wanted} already allocated in subnet {subnet.id}")
            return wanted
        hosts = net.num_addresses - 2
        for _ in range(hosts):
            n = subnet.next_ip
            subnet.next_ip = n + 1 if n + 1 <= hosts else 2
            ip = str(net.network_address + n)
            if ip not in taken and ip != subnet.gateway_ip:
                return ip
        raise Conflict(f"No more IP addresses available on network {subnet.network_id}.")
