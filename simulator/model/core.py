"""The one model behind every facade: state, one lock, queries, mutations and change events.

See the package docstring (`simulator.model`) for the public API.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from collections import defaultdict
from dataclasses import asdict, replace
from datetime import datetime, timezone
from typing import Callable, Iterable

from simulator.model.entities import (
    RUNNING, SHUTDOWN, SUSPENDED, Agent, Aggregate, Event, Flavor, Host, Image, Instance, Network,
    Params, Port, Project, Region, Router, SecurityGroup, Service, Subnet, User,
)
from simulator.model.errors import BadRequest, Conflict, NotFound
from simulator.model.ids import Ids
from simulator.model.binding import PortBinding
from simulator.model.events import Notifier
from simulator.model.networks import Networks
from simulator.model.ports import Ports
from simulator.model.routers import Routers

log = logging.getLogger(__name__)

def _utc_text(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Model(Networks, Ports, Routers, PortBinding):
    """A consistent simulated cloud. Thread-safe: every mutation holds `lock` (an RLock).

    Readers that combine several objects should hold `model.lock` while they read.
    """

    def __init__(self, params: Params, clock: Callable[[], datetime] | None = None):
        self.params = params
        self.ids = Ids(params.seed)
        self.lock = threading.RLock()
        self._clock = clock or (lambda: datetime.now(timezone.utc))
        self._building = True
        self._notifier = Notifier()
        self.generation = 0  # bumped by every mutation (cheap cache key for facades)
        self.settled_at = 0.0  # time.time() after which every bound port is plumbed on its host

        self.regions: dict[str, Region] = {}
        self.projects: dict[str, Project] = {}
        self.users: dict[str, User] = {}
        self.hosts: dict[str, Host] = {}
        self.services: list[Service] = []
        self.agents: dict[str, Agent] = {}
        self.aggregates: dict[int, Aggregate] = {}
        self.flavors: dict[str, Flavor] = {}
        self.images: dict[str, Image] = {}
        self.security_groups: dict[str, SecurityGroup] = {}
        self.networks: dict[str, Network] = {}
        self.subnets: dict[str, Subnet] = {}
        self.ports: dict[str, Port] = {}
        self.routers: dict[str, Router] = {}
        self.floating_ips: dict[str, object] = {}   # simulator.model.floating
        self.instances: dict[str, Instance] = {}
        self.deleted_instances: dict[str, Instance] = {}
        self.next_instance_index = 1
        self.admin_project_id = ""
        self.service_project_id = ""
        self.external_network_id: str | None = None
        # indexes kept by bind/unbind
        self._ports_by_host: dict[str, dict[str, None]] = defaultdict(dict)
        self._ports_by_network: dict[str, dict[str, None]] = defaultdict(dict)
        self._net_hosts: dict[str, dict[str, int]] = defaultdict(dict)  # network -> host -> bound ports
        self._dev_names: set[str] = set()

    # ------------------------------------------------------------------ time, events
    def now(self) -> str:
        return self.params.base_time if self._building else _utc_text(self._clock())

    def subscribe(self, callback: Callable[[Event], None]) -> Callable[[], None]:
        """Call `callback(event)` after every mutation (outside the lock, in order). Returns an unsubscribe."""
        return self._notifier.subscribe(callback)

    def _emit(self, event_type: str, service: str, host: str, data: dict, project_id: str | None) -> None:
        if self._building:
            return
        self._notifier.post(Event(event_type, service, host, copy.deepcopy(data), project_id, self.now()))

    def _flush(self) -> None:
        self._notifier.deliver(self.lock)

    def _changed(self) -> None:
        self.generation += 1

    # ------------------------------------------------------------------ queries
    @property
    def admin_project(self) -> Project:
        return self.projects[self.admin_project_id]

    def project_by_name(self, name: str) -> Project | None:
        return next((p for p in self.projects.values() if p.name == name), None)

    def host(self, name: str) -> Host:
        try:
            return self.hosts[name]
        except KeyError:
            raise NotFound("Host", name) from None

    def computes(self, region: str | None = None) -> list[Host]:
        return [h for h in self.hosts.values() if h.is_compute and (region is None or h.region == region)]

    def network_hosts(self, region: str | None = None) -> list[Host]:
        return [h for h in self.hosts.values() if h.is_network and (region is None or h.region == region)]

    def ports_on_host(self, host: str) -> list[Port]:
        return [self.ports[p] for p in self._ports_by_host.get(host, ())]

    def plumbed_ports(self, host: str) -> list[Port]:
        """Ports the host's agents have plumbed by now (all of them unless --agent-delay holds some back)."""
        now = time.time()
        return [p for p in self.ports_on_host(host) if p.plugged_at <= now]

    def settled(self) -> bool:
        return time.time() >= self.settled_at

    def ports_of_network(self, network_id: str) -> list[Port]:
        return [self.ports[p] for p in self._ports_by_network.get(network_id, ())]

    def hosts_of_network(self, network_id: str) -> list[str]:
        """Hosts with at least one port of the network bound to them (l2population peers)."""
        return [h for h, n in self._net_hosts.get(network_id, {}).items() if n > 0]

    def instances_on_host(self, host: str) -> list[Instance]:
        return [i for i in self.instances.values() if i.host == host]

    def agents_on_host(self, host: str) -> list[Agent]:
        return [a for a in self.agents.values() if a.host == host]

    def network_of_subnet(self, subnet_id: str) -> Network:
        return self.networks[self.subnets[subnet_id].network_id]

    def router_interfaces(self, router_id: str) -> list[Port]:
        return [p for p in self.ports.values()
                if p.device_id == router_id and p.device_owner == "network:router_interface"]

    def get(self, kind: str, ident: str):
        table = {"network": self.networks, "subnet": self.subnets, "port": self.ports, "router": self.routers,
                 "server": self.instances, "flavor": self.flavors, "image": self.images,
                 "security_group": self.security_groups, "project": self.projects}[kind]
        try:
            return table[ident]
        except KeyError:
            raise NotFound(kind.capitalize().replace("_", " "), ident) from None

    def to_json(self) -> dict:
        """The whole model as JSON-able data: ground truth for tests (`calipso sim --dump-model`)."""
        with self.lock:
            from simulator.model.plumbing import plumbing
            from simulator.model.plumbing_records import whole
            return {
                "params": asdict(self.params) | {"admin_password": "***"},
                "regions": [asdict(r) for r in self.regions.values()],
                "projects": [asdict(p) for p in self.projects.values()],
                "users": [asdict(u) | {"password": "***"} for u in self.users.values()],
                "hosts": [asdict(h) | {"plumbing": asdict(whole(plumbing(self, h.name)))} for h in self.hosts.values()],
                "services": [asdict(s) for s in self.services],
                "agents": [asdict(a) for a in self.agents.values()],
                "aggregates": [asdict(a) for a in self.aggregates.values()],
                "flavors": [asdict(f) for f in self.flavors.values()],
                "images": [asdict(i) for i in self.images.values()],
                "security_groups": [asdict(s) for s in self.security_groups.values()],
                "networks": [asdict(n) for n in self.networks.values()],
                "subnets": [asdict(s) for s in self.subnets.values()],
                "ports": [asdict(p) for p in self.ports.values()],
                "routers": [asdict(r) for r in self.routers.values()],
                "floating_ips": [asdict(f) for f in self.floating_ips.values()],
                "instances": [asdict(i) | {"domain_name": i.domain_name, "status": i.status}
                              for i in self.instances.values()],
                "deleted_instances": [asdict(i) | {"domain_name": i.domain_name}
                                      for i in self.deleted_instances.values()],
            }


    # ------------------------------------------------------------------ mutation plumbing
    def _project_id(self, project_id: str | None) -> str:
        pid = project_id or self.admin_project_id
        if pid not in self.projects:
            raise NotFound("Project", pid)
        return pid

    def _mutation(self):
        model = self

        class _Ctx:
            def __enter__(self):
                model.lock.acquire()
                return model

            def __exit__(self, *exc):
                if exc[0] is None:
                    model._changed()
                model.lock.release()
                model._flush()
                return False
        return _Ctx()

    def _pick_network_node(self, region: str, n: int) -> str | None:
        nodes = self.network_hosts(region)
        return nodes[n % len(nodes)].name if nodes else None

    def _neutron_host(self, region: str | None) -> str:
        """Publisher host of Neutron notifications: a network node (vim-contract §6.2)."""
        nodes = self.network_hosts(region) or list(self.network_hosts()) or list(self.hosts.values())
        return nodes[0].name if nodes else "localhost"

    # ------------------------------------------------------------------ servers
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

    # ------------------------------------------------------------------ keystone
    def authenticate(self, username: str, password: str, domain_id: str = "default") -> User | None:
        user = next((u for u in self.users.values() if u.name == username and u.domain_id == domain_id), None)
        return user if user is not None and user.password == password else None

    def project_records(self) -> list[Project]:
        return list(self.projects.values())

    def all_models(self) -> dict[str, dict]:
        return {"networks": self.networks, "subnets": self.subnets, "ports": self.ports, "routers": self.routers,
                "instances": self.instances}


__all__ = ["Model", "Agent", "Aggregate", "Flavor", "Host", "Image", "Service", "Region", "Project", "User",
           "SecurityGroup"]
