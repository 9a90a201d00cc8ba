"""Routers: their mutations, gateways and interfaces (a router lives on one network node: `host`)."""

from __future__ import annotations

from dataclasses import replace

from simulator.model.entities import Router
from simulator.model.errors import BadRequest, Conflict, NotFound


class Routers:
    """Part of `simulator.model.core.Model`: Neutron routers."""

    def _router_payload(self, router: Router) -> dict:
        return {"router": replace(router)}

    def create_router(self, name: str, project_id: str | None = None, external_network_id: str | None = None,
                      enable_snat: bool = True, admin_state_up: bool = True, region: str | None = None,
                      description: str = "") -> Router:
        with self._mutation():
            router = self._create_router(name, project_id, external_network_id, enable_snat, admin_state_up,
                                         region, description)
            host = router.host or self._neutron_host(router.region)
            self._emit("router.create.start", "neutron", host, {"router": {"name": name}}, router.project_id)
            self._emit("router.create.end", "neutron", host, self._router_payload(router), router.project_id)
            return router

    def _create_router(self, name, project_id, external_network_id, enable_snat, admin_state_up, region,
                       description) -> Router:
        pid = self._project_id(project_id)
        region = region or next(iter(self.regions))
        now = self.now()
        router = Router(id=self.ids.uuid(), name=name, project_id=pid, region=region,
                        host=self._pick_network_node(region, len(self.routers)), enable_snat=enable_snat,
                        admin_state_up=admin_state_up, description=description, created_at=now, updated_at=now)
        self.routers[router.id] = router
        if external_network_id:
            self._set_gateway(router, external_network_id)
        return router

    def _set_gateway(self, router: Router, network_id: str) -> None:
        net = self.get("network", network_id)
        if not net.external:
            raise BadRequest(f"Bad router request: Network {net.id} is not an external network")
        gw = self._create_port(net, name="", project_id="" or None, device_owner="network:router_gateway",
                               device_id=router.id, host=router.host or "")
        gw.project_id = ""  # real Neutron leaves the gateway port's tenant empty
        router.gw_port_id, router.gw_network_id = gw.id, net.id

    def _clear_gateway(self, router: Router) -> None:
        if router.gw_port_id and router.gw_port_id in self.ports:
            self._delete_port(self.ports[router.gw_port_id], notify=False)
        router.gw_port_id = router.gw_network_id = None

    def update_router(self, router_id: str, **changes) -> Router:
        with self._mutation():
            router = self.get("router", router_id)
            host = router.host or self._neutron_host(router.region)
            self._emit("router.update.start", "neutron", host, {"router": dict(changes), "id": router.id},
                       router.project_id)
            if "external_gateway_info" in changes:
                info = changes.pop("external_gateway_info")
                self._clear_gateway(router)
                if info and info.get("network_id"):
                    self._set_gateway(router, info["network_id"])
                    router.enable_snat = info.get("enable_snat", True)
            for k in ("name", "admin_state_up", "description", "routes"):
                if k in changes:
                    setattr(router, k, changes.pop(k))
            if changes:
                raise BadRequest(f"Cannot update read-only attribute {sorted(changes)[0]}")
            router.updated_at, router.revision_number = self.now(), router.revision_number + 1
            self._emit("router.update.end", "neutron", host, self._router_payload(router), router.project_id)
            return router

    def delete_router(self, router_id: str) -> None:
        with self._mutation():
            router = self.get("router", router_id)
            if self.router_interfaces(router.id):
                raise Conflict(f"Router {router.id} still has ports")
            host = router.host or self._neutron_host(router.region)
            self._emit("router.delete.start", "neutron", host, {"router_id": router.id}, router.project_id)
            self._clear_gateway(router)
            del self.routers[router.id]
            self._emit("router.delete.end", "neutron", host,
                       {"router_id": router.id} | self._router_payload(router), router.project_id)

    def add_router_interface(self, router_id: str, subnet_id: str | None = None,
                             port_id: str | None = None) -> dict:
        with self._mutation():
            router = self.get("router", router_id)
            info = self._add_router_interface(router, subnet_id, port_id)
            host = router.host or self._neutron_host(router.region)
            self._emit("router.interface.create", "neutron", host, {"router_interface": info}, router.project_id)
            return info

    def _add_router_interface(self, router: Router, subnet_id: str | None, port_id: str | None) -> dict:
        if bool(subnet_id) == bool(port_id):
            raise BadRequest("Bad router request: Either subnet_id or port_id must be specified")
        if port_id:
            port = self.get("port", port_id)
            if port.device_id:
                raise Conflict(f"Port {port.id} is in use by {port.device_id}")
            sub = self.subnets[port.fixed_ips[0]["subnet_id"]]
            port.device_owner, port.device_id = "network:router_interface", router.id
            if router.host:
                self._bind(port, router.host)
        else:
            sub = self.get("subnet", subnet_id)
            for p in self.router_interfaces(router.id):
                if any(f["subnet_id"] == sub.id for f in p.fixed_ips):
                    raise BadRequest(f"Bad router request: Router already has a port on subnet {sub.id}.")
            if not sub.gateway_ip:
                raise BadRequest(f"Bad router request: Subnet {sub.id} does not have a gateway IP.")
            net = self.networks[sub.network_id]
            port = self._create_port(net, name="", project_id=sub.project_id,
                                     fixed_ips=[{"subnet_id": sub.id, "ip_address": sub.gateway_ip}],
                                     device_owner="network:router_interface", device_id=router.id,
                                     host=router.host or "")
        return {"id": router.id, "tenant_id": router.project_id, "project_id": router.project_id,
                "port_id": port.id, "network_id": port.network_id, "subnet_id": sub.id, "subnet_ids": [sub.id]}

    def remove_router_interface(self, router_id: str, subnet_id: str | None = None,
                                port_id: str | None = None) -> dict:
        with self._mutation():
            router = self.get("router", router_id)
            ports = self.router_interfaces(router.id)
            port = next((p for p in ports if (port_id and p.id == port_id) or
                         (subnet_id and any(f["subnet_id"] == subnet_id for f in p.fixed_ips))), None)
            if port is None:
                what = f"port {port_id}" if port_id else f"subnet {subnet_id}"
                raise NotFound("Router interface", f"for {what} on router {router.id}")
            sid = port.fixed_ips[0]["subnet_id"] if port.fixed_ips else subnet_id
            info = {"id": router.id, "tenant_id": router.project_id, "project_id": router.project_id,
                    "port_id": port.id, "network_id": port.network_id, "subnet_id": sid, "subnet_ids": [sid]}
            self._delete_port(port, notify=False)
            host = router.host or self._neutron_host(router.region)
            self._emit("router.interface.delete", "neutron", host, {"router_interface": info}, router.project_id)
            return info
