"""Servers: booting (scheduling, ports, libvirt domain), deleting, power states and renaming, with the
`compute.instance.*` notifications Nova sends for each."""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from simulator.model.entities import RUNNING, SHUTDOWN, SUSPENDED, Instance
from simulator.model.errors import BadRequest, Conflict


class Compute:
    """Part of `simulator.model.core.Model`: Nova servers."""

    def create_server(self, name: str, networks: Iterable[str] | None = None, ports: Iterable[str] | None = None,
                      flavor_id: str | None = None, image_id: str | None = None, project_id: str | None = None,
                      host: str | None = None, availability_zone: str | None = None, key_name: str | None = None,
                      region: str | None = None, metadata: dict | None = None, user_id: str | None = None) -> Instance:
        """Boot a server: ports allocated and bound, devices plugged, libvirt domain running, DB rows."""
        with self._mutation():
            inst = self._create_server(name, list(networks or []), list(ports or []), flavor_id, image_id,
                                       project_id, host, availability_zone, key_name, region, metadata, user_id)
            self._emit_instance("create.start", inst)
            for pid in inst.port_ids:  # Zed order: port.create.end before compute.instance.create.end
                self._emit("port.create.end", "neutron", self._neutron_host(self.hosts[inst.host].region),
                           {"port": replace(self.ports[pid])}, inst.project_id)
            self._emit_instance("create.end", inst)
            return inst

    def _emit_instance(self, action: str, inst: Instance, **extra) -> None:
        ports = [replace(self.ports[p]) for p in inst.port_ids if p in self.ports]
        self._emit(f"compute.instance.{action}", "nova", inst.host,
                   {"instance": replace(inst, port_ids=list(inst.port_ids)), "ports": ports} | extra,
                   inst.project_id)

    def _create_server(self, name, networks, ports, flavor_id, image_id, project_id, host, availability_zone,
                       key_name, region, metadata, user_id) -> Instance:
        pid = self._project_id(project_id)
        flavor = self.get("flavor", flavor_id) if flavor_id else next(iter(self.flavors.values()))
        image = self.get("image", image_id) if image_id else next(iter(self.images.values()))
        if host is None:
            candidates = [h for h in self.computes(region) if availability_zone in (None, h.zone)]
            if not candidates:
                raise Conflict("No valid host was found. There are not enough hosts available.")
            load = {h.name: 0 for h in candidates}
            for i in self.instances.values():
                if i.host in load:
                    load[i.host] += 1
            host = min(candidates, key=lambda h: (load[h.name], h.name)).name
        h = self.host(host)
        if not h.is_compute:
            raise BadRequest(f"Host {host} is not a compute host")
        for nid in networks:
            self.get("network", nid)
        for p in ports:
            if self.get("port", p).device_id:
                raise Conflict(f"Port {p} is still in use.")
        uuid = self.ids.uuid()
        now = self.now()
        index = self.next_instance_index
        self.next_instance_index += 1
        inst = Instance(id=uuid, name=name, project_id=pid, user_id=user_id or self._admin_user_id(), host=h.name,
                        node=h.hypervisor_hostname or h.name, availability_zone=h.zone, flavor_id=flavor.id,
                        image_id=image.id, index=index, domain_id=h.next_domain_id, port_ids=[],
                        key_name=key_name, created_at=now, updated_at=now, launched_at=now,
                        metadata=dict(metadata or {}))
        h.next_domain_id += 1
        owner = f"compute:{h.zone}"
        for nid in networks:
            port = self._create_port(self.networks[nid], project_id=pid, device_owner=owner, device_id=uuid,
                                     host=h.name)
            inst.port_ids.append(port.id)
        for p in ports:
            port = self.ports[p]
            port.device_owner, port.device_id = owner, uuid
            self._unbind(port)
            self._bind(port, h.name)
            inst.port_ids.append(port.id)
        self.instances[uuid] = inst
        self._instances_by_host[inst.host][uuid] = None
        return inst

    def _admin_user_id(self) -> str:
        return next(iter(self.users.values())).id if self.users else ""

    def delete_server(self, server_id: str) -> None:
        with self._mutation():
            inst = self.get("server", server_id)
            self._emit_instance("delete.start", inst)
            self._emit_instance("shutdown.start", inst)
            self._emit_instance("shutdown.end", inst)
            ports = [self.ports[p] for p in inst.port_ids if p in self.ports]
            for port in ports:
                self._delete_port(port, notify=False)
            for port in ports:
                self._emit_port("delete", port)
            del self.instances[inst.id]
            self._instances_by_host[inst.host].pop(inst.id, None)
            inst.deleted, inst.vm_state, inst.power_state, inst.domain_id = True, "deleted", SHUTDOWN, None
            inst.terminated_at = inst.updated_at = self.now()
            self.deleted_instances[inst.id] = inst
            self._emit_instance("delete.end", inst)

    def _power(self, server_id: str, action: str, allowed_from: tuple[str, ...], vm_state: str, power: int,
               running: bool) -> Instance:
        with self._mutation():
            inst = self.get("server", server_id)
            if inst.vm_state not in allowed_from:
                raise Conflict(f"Cannot '{action}' instance {inst.id} while it is in vm_state {inst.vm_state}")
            self._emit_instance(f"{action}.start", inst)
            old = inst.vm_state
            inst.vm_state, inst.power_state, inst.updated_at = vm_state, power, self.now()
            host = self.hosts[inst.host]
            if running and inst.domain_id is None:
                inst.domain_id = host.next_domain_id
                host.next_domain_id += 1
            elif not running:  # power off and suspend (a managed save) both leave no running domain
                inst.domain_id = None
            self._emit_instance("update", inst, old_state=old)
            self._emit_instance(f"{action}.end", inst)
            return inst

    def stop_server(self, server_id: str) -> Instance:
        return self._power(server_id, "power_off", ("active",), "stopped", SHUTDOWN, False)

    def start_server(self, server_id: str) -> Instance:
        return self._power(server_id, "power_on", ("stopped",), "active", RUNNING, True)

    def suspend_server(self, server_id: str) -> Instance:
        return self._power(server_id, "suspend", ("active",), "suspended", SUSPENDED, False)

    def resume_server(self, server_id: str) -> Instance:
        return self._power(server_id, "resume", ("suspended",), "active", RUNNING, True)

    def shutdown_server(self, server_id: str) -> Instance:
        """A guest-initiated shutdown: like power off, notified as `compute.instance.shutdown.*`."""
        return self._power(server_id, "shutdown", ("active",), "stopped", SHUTDOWN, False)

    def rename_server(self, server_id: str, name: str) -> Instance:
        with self._mutation():
            inst = self.get("server", server_id)
            inst.name, inst.updated_at = name, self.now()
            self._emit_instance("update", inst, old_state=inst.vm_state)
            return inst
