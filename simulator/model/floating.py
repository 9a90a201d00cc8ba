"""Floating IPs: an address of an external network, NATed by a router to a port behind it.

What a real (Zed, legacy L3) cloud shows of one, and so every facade here:
- Neutron: the floating IP (`/v2.0/floatingips`) and its own port on the external network
  (device_owner `network:floatingip`, device_id = the floating IP's id, no project, status N/A, unbound);
- the router's namespace: the address as a /32 on the gateway device `qg-…`, put there by the L3 agent
  (`--agent-delay` after the API call) while the floating IP is associated, and taken off as late;
- Nova: the address in the fixed IP's `floating_ips` of the instance's `network_info` and as a
  `floating` entry of the server's `addresses`;
- notifications: `floatingip.create|update|delete.start/.end` (`.end` carries the floating IP; delete
  also its id).
An associated port deleted (its server deleted) leaves the floating IP unassociated, as Neutron does.
"""

from __future__ import annotations

import ipaddress
import time
from dataclasses import dataclass

from simulator.model.errors import BadRequest, Conflict, NotFound

OWNER = "network:floatingip"


@dataclass
class FloatingIp:
    id: str
    floating_network_id: str
    floating_ip_address: str
    floating_port_id: str            # its own port on the external network
    project_id: str
    region: str
    port_id: str | None = None       # the associated port, behind the router
    fixed_ip_address: str | None = None
    router_id: str | None = None
    description: str = ""
    created_at: str = ""
    updated_at: str = ""
    revision_number: int = 0
    plugged_at: float = 0.0          # when the L3 agent has put it on the router's gateway (time.time())


def associated(model, fip: FloatingIp) -> bool:
    return bool(fip.port_id and fip.port_id in model.ports and fip.router_id in model.routers)


def of_port(model, port_id: str) -> list[FloatingIp]:
    return [f for f in model.floating_ips.values() if f.port_id == port_id and associated(model, f)]


def on_router(model, router_id: str) -> list[str]:
    """Addresses the L3 agent has put on the router's gateway device by now (and not yet taken off)."""
    now = time.time()
    shown = [f.floating_ip_address for f in model.floating_ips.values()
             if f.router_id == router_id and associated(model, f) and f.plugged_at <= now]
    return shown + [a for r, a, until in _unplugging(model) if r == router_id and until > now and a not in shown]


def _unplugging(model) -> list[tuple[str, str, float]]:
    """(router, address, until): addresses let go that the L3 agent has not taken off the gateway yet."""
    return model.__dict__.setdefault("floating_unplugging", [])


def _let_go(model, fip: FloatingIp) -> None:
    if not associated(model, fip) or fip.plugged_at > time.time():   # never put on the gateway: nothing to take off
        return
    if model.params.agent_delay > 0:
        until = time.time() + model.params.agent_delay
        gone = _unplugging(model)
        gone[:] = [g for g in gone if g[2] > time.time()] + [(fip.router_id, fip.floating_ip_address, until)]
        model.settled_at = max(model.settled_at, until)


def view(model, fip: FloatingIp, release: str = "current") -> dict:
    linked = associated(model, fip)
    port = model.ports.get(fip.port_id or "") if linked else None
    d = {"id": fip.id, "tenant_id": fip.project_id, "floating_network_id": fip.floating_network_id,
         "router_id": fip.router_id if linked else None, "port_id": fip.port_id if linked else None,
         "fixed_ip_address": fip.fixed_ip_address if linked else None,
         "floating_ip_address": fip.floating_ip_address, "status": "ACTIVE" if linked else "DOWN",
         "description": fip.description}
    if release != "old":
        d.update({"project_id": fip.project_id, "tags": [], "created_at": fip.created_at,
                  "updated_at": fip.updated_at, "revision_number": fip.revision_number, "qos_policy_id": None,
                  "port_forwardings": [], "dns_domain": "", "dns_name": "",
                  "port_details": {"name": port.name, "network_id": port.network_id, "mac_address": port.mac_address,
                                   "admin_state_up": port.admin_state_up, "status": port.status,
                                   "device_id": port.device_id, "device_owner": port.device_owner}
                  if port else None})
    return d


def _router_for(model, port, fixed_ip: str | None, network_id: str) -> tuple[str, str]:
    """(router id, fixed address): a router with an interface on the port's subnet and its gateway on
    the floating IP's network (Neutron's ExternalGatewayForFloatingIPNotFound otherwise)."""
    ips = [f for f in port.fixed_ips if fixed_ip in (None, f["ip_address"])]
    if not ips:
        raise BadRequest(f"Bad floatingip request: Port {port.id} does not have fixed ip {fixed_ip}.")
    for ip in ips:
        for router in model.routers.values():
            if router.gw_network_id != network_id:
                continue
            if any(f["subnet_id"] == ip["subnet_id"] for p in model.router_interfaces(router.id) for f in p.fixed_ips):
                return router.id, ip["ip_address"]
    raise NotFound("External network", f"{network_id} is not reachable from subnet {ips[0]['subnet_id']}. "
                                       f"Therefore, cannot associate Port {port.id} with a Floating IP")


def _associate(model, fip: FloatingIp, port_id: str | None, fixed_ip: str | None) -> None:
    if port_id != fip.port_id or (fixed_ip and fixed_ip != fip.fixed_ip_address):
        _let_go(model, fip)
    if not port_id:
        fip.port_id = fip.fixed_ip_address = fip.router_id = None
        return
    port = model.get("port", port_id)
    for other in of_port(model, port.id):
        if other.id != fip.id and fixed_ip in (None, other.fixed_ip_address):
            raise Conflict(f"Cannot associate floating IP {fip.floating_ip_address} ({fip.id}) with port {port.id} "
                           f"using fixed IP {other.fixed_ip_address}, as that fixed IP already has a floating IP on "
                           f"external network {other.floating_network_id}.")
    fip.router_id, fip.fixed_ip_address = _router_for(model, port, fixed_ip, fip.floating_network_id)
    fip.port_id = port.id
    if model.params.agent_delay > 0:   # the L3 agent configures the router's namespace later
        fip.plugged_at = time.time() + model.params.agent_delay
        model.settled_at = max(model.settled_at, fip.plugged_at)


def _emit_fip(model, action: str, fip: FloatingIp, start: dict) -> None:
    host = model._neutron_host(fip.region)
    model._emit(f"floatingip.{action}.start", "neutron", host, start, fip.project_id)
    end = {"floatingip": view(model, fip, model.params.release)}
    if action == "delete":
        end = {"floatingip_id": fip.id} | end
    model._emit(f"floatingip.{action}.end", "neutron", host, end, fip.project_id)


class FloatingIps:
    """Part of `simulator.model.core.Model`: the floating IP mutations (the reading helpers above are
    functions of the model, for the facades)."""

    def create_floating_ip(self, floating_network_id: str, port_id: str | None = None,
                           fixed_ip_address: str | None = None, project_id: str | None = None,
                           floating_ip_address: str | None = None, description: str = "") -> FloatingIp:
        with self._mutation():
            net = self.get("network", floating_network_id)
            if not net.external:
                raise BadRequest(f"Bad floatingip request: Network {net.id} is not a valid external network.")
            if floating_ip_address:
                try:
                    ipaddress.ip_address(floating_ip_address)
                except ValueError:
                    raise BadRequest(f"Invalid input for floating_ip_address: '{floating_ip_address}' is not a valid "
                                     f"IP address.") from None
            pid = self._project_id(project_id)
            fid = self.ids.uuid()
            fixed = [{"ip_address": floating_ip_address}] if floating_ip_address else None
            port = self._create_port(net, name="", project_id=pid, fixed_ips=fixed, device_owner=OWNER, device_id=fid)
            port.project_id, port.status = "", "N/A"   # Neutron leaves it without a project, and it is never wired
            now = self.now()
            fip = FloatingIp(fid, net.id, port.fixed_ips[0]["ip_address"] if port.fixed_ips else "", port.id, pid,
                             net.region, description=description, created_at=now, updated_at=now)
            try:
                _associate(self, fip, port_id, fixed_ip_address)
            except Exception:
                self._delete_port(port, notify=False)
                raise
            self.floating_ips[fid] = fip
            _emit_fip(self, "create", fip, {"floatingip": {"floating_network_id": net.id, "port_id": port_id}})
            return fip

    def update_floating_ip(self, fip_id: str, **changes) -> FloatingIp:
        """Associate (`port_id`, optionally `fixed_ip_address`), disassociate (`port_id` None), describe."""
        allowed = {"port_id", "fixed_ip_address", "description"}
        with self._mutation():
            fip = _get(self, fip_id)
            bad = set(changes) - allowed
            if bad:
                raise BadRequest(f"Cannot update read-only attribute {sorted(bad)[0]}")
            if "port_id" in changes:
                _associate(self, fip, changes["port_id"], changes.get("fixed_ip_address"))
            if "description" in changes:
                fip.description = str(changes["description"] or "")
            fip.updated_at, fip.revision_number = self.now(), fip.revision_number + 1
            _emit_fip(self, "update", fip, {"floatingip": dict(changes), "id": fip.id})
            return fip

    def delete_floating_ip(self, fip_id: str) -> None:
        with self._mutation():
            fip = _get(self, fip_id)
            port = self.ports.get(fip.floating_port_id)
            if port is not None:
                self._delete_port(port, notify=False)
            _let_go(self, fip)
            del self.floating_ips[fip.id]
            _emit_fip(self, "delete", fip, {"floatingip_id": fip.id})


def _get(model, fip_id: str) -> FloatingIp:
    try:
        return model.floating_ips[fip_id]
    except KeyError:
        raise NotFound("Floating IP", fip_id) from None
