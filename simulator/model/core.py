"""The one model behind every facade: its state, one lock, the queries and the mutation API.

`Model` is the single facade every other part calls; its mutations are written by domain in the
classes it is made of: `networks.Networks` (networks, subnets), `ports.Ports`, `routers.Routers`,
`floating.FloatingIps`, `compute.Compute` (servers) and `binding.PortBinding` (what a bound port
gets on its host). They share the model's tables, which is why they are parts of one class; the
state that stands apart is held apart: change events in `events.Notifier`, host numbering on each
`Host` (`binding`).
See the package docstring (`simulator.model`) for the public API.
"""

from __future__ import annotations

import copy
import threading
import time
from collections import defaultdict
from dataclasses import asdict
from datetime import datetime, timezone
from typing import Callable

from simulator.model.binding import PortBinding
from simulator.model.compute import Compute
from simulator.model.entities import (
    Agent, Aggregate, Event, Flavor, Host, Image, Instance, Network, Params, Port, Project, Region, Router,
    SecurityGroup, Service, Subnet, User,
)
from simulator.model.errors import NotFound
from simulator.model.events import Notifier
from simulator.model.floating import FloatingIps
from simulator.model.ids import Ids
from simulator.model.networks import Networks
from simulator.model.ports import Ports
from simulator.model.routers import Routers


def _utc_text(dt: datetime) -> str:
    return dt.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Model(Networks, Ports, Routers, FloatingIps, Compute, PortBinding):
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
        # instances and agents by host, kept where they are added and removed: every host's view asked
        # for them, and going through all was 10,000 instances x 1,000 hosts
        self._instances_by_host: dict[str, dict[str, None]] = defaultdict(dict)
        self._agents_by_host: dict[str, dict[str, None]] = defaultdict(dict)

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
        return [self.instances[i] for i in self._instances_by_host.get(host, ())]

    def agents_on_host(self, host: str) -> list[Agent]:
        return [self.agents[a] for a in self._agents_by_host.get(host, ())]

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

    # ------------------------------------------------------------------ what every domain's mutations share
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

    # ------------------------------------------------------------------ keystone
    def authenticate(self, username: str, password: str, domain_id: str = "default") -> User | None:
        user = next((u for u in self.users.values() if u.name == username and u.domain_id == domain_id), None)
        return user if user is not None and user.password == password else None

    def project_records(self) -> list[Project]:
        return list(self.projects.values())

    def all_models(self) -> dict[str, dict]:
        return {"networks": self.networks, "subnets": self.subnets, "ports": self.ports, "routers": self.routers,
                "instances": self.instances}


__all__ = ["Model"]
