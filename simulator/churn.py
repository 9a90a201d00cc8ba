"""A cloud that changes by itself: every few seconds a server boots or goes, a port is added or removed.

For the demo, so a user watches Calipso's inventory follow the cloud. Changes go through the
model's own mutations, so every protocol shows them and each emits its real notification.
"""

from __future__ import annotations

import logging
import random
import threading

log = logging.getLogger(__name__)

PREFIX = "churn-"


class Churn:
    """One change per `step()`, cycling boot, add port, remove port, delete server."""

    def __init__(self, model, seed: int = 1, conditions=None):
        self.model = model
        self.rng = random.Random(seed)
        self.counter = 0
        self.server_id: str | None = None
        self.port_id: str | None = None
        self.plan = [self._boot, self._add_port, self._remove_port, self._delete_server]
        self.conditions, self.broken = conditions, None
        if conditions is not None:   # with monitoring: something breaks now and then, and is repaired
            self.plan = [self._boot, self._add_port, self._break, self._remove_port, self._delete_server, self._repair]

    def _break(self) -> str:
        from simulator.faults import HOST_FAULT_KINDS
        hosts = sorted(self.model.hosts)
        if not hosts:
            return "no host to break"
        self.broken = (self.rng.choice(hosts), self.rng.choice(HOST_FAULT_KINDS))
        self.conditions.add(*self.broken)
        return f"broke {self.broken[0]}: {self.broken[1]}"

    def _repair(self) -> str:
        if self.broken is None:
            return "nothing to repair"
        host, kind = self.broken
        self.broken = None
        self.conditions.remove(host, kind)
        return f"repaired {host}: {kind}"

    def _tenant_networks(self) -> list:
        return sorted((n for n in self.model.networks.values() if not n.external and n.subnets),
                      key=lambda n: n.id)

    def step(self) -> str:
        action = self.plan[self.counter % len(self.plan)]
        self.counter += 1
        return action()

    def _boot(self) -> str:
        nets = self._tenant_networks()
        if not nets:
            return "no tenant network to boot a server on"
        net = self.rng.choice(nets)
        inst = self.model.create_server(f"{PREFIX}vm-{self.counter}", networks=[net.id])
        self.server_id = inst.id
        return f"booted server {inst.name} ({inst.id}) on {inst.host}, network {net.name}"

    def _add_port(self) -> str:
        nets = self._tenant_networks()
        if not nets:
            return "no tenant network to add a port to"
        port = self.model.create_port(self.rng.choice(nets).id, name=f"{PREFIX}port-{self.counter}")
        self.port_id = port.id
        return f"added port {port.name} ({port.id}, {port.mac_address})"

    def _remove_port(self) -> str:
        if not self.port_id or self.port_id not in self.model.ports:
            return "no churn port to remove"
        pid, self.port_id = self.port_id, None
        self.model.delete_port(pid)
        return f"removed port {pid}"

    def _delete_server(self) -> str:
        if not self.server_id or self.server_id not in self.model.instances:
            return "no churn server to delete"
        sid, self.server_id = self.server_id, None
        self.model.delete_server(sid)
        return f"deleted server {sid}"

    def run(self, interval: float, stop: threading.Event) -> None:
        while not stop.wait(interval):
            try:
                log.info("churn: %s", self.step())
            except Exception as e:  # a failed change must not stop the simulator
                log.warning("churn: change failed: %s", e)
