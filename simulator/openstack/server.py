"""Keystone (one, shared) plus a Nova and a Neutron per region, each on its own 127.0.0.1 port."""

from __future__ import annotations

import logging

from app.logs import register_secret

from simulator.openstack.http import HttpServer, reserve_port
from simulator.openstack.keystone import Keystone
from simulator.openstack.neutron import Neutron
from simulator.openstack.nova import Nova
from simulator.openstack.tokens import TokenStore

log = logging.getLogger(__name__)


class OpenStackServer:
    """The `openstack` protocol server of `simulator.servers`: Keystone v3 (+v2.0 for the old release),
    and per region Nova and Neutron, all answering from the one model."""

    def __init__(self, model, options):
        self.model, self.options = model, options
        self.conditions = options.conditions
        self.tokens = TokenStore()
        self.http: list[HttpServer] = []
        self.urls: dict[str, dict[str, str]] = {}
        self.keystone_port = 0
        register_secret(model.params.admin_password)

    def _serve(self, service, port: int, target: str) -> int:
        """Start `service` on `port` (0: free), or only reserve a port when a `down` fault is set."""
        if self.conditions.has(target, "down"):
            return port or reserve_port(self.options.bind)
        server = HttpServer(service.app, self.options.bind, port)
        service.base_url = server.url
        server.start()
        self.http.append(server)
        return server.port

    def start(self) -> None:
        host = self.options.host
        keystone = Keystone(self.model, self.tokens, self.conditions, lambda: self.urls)
        self.keystone_port = self._serve(keystone, self.options.keystone_port, "keystone")
        ks = f"http://{host}:{self.keystone_port}"
        keystone.base_url = ks
        self.tokens.keystone_url = ks
        old = self.model.params.release == "old"
        for i, region in enumerate(self.model.regions):
            nova = Nova(self.model, self.tokens, self.conditions, region)
            neutron = Neutron(self.model, self.tokens, self.conditions, region)
            nova_port = self._serve(nova, self.options.nova_port if i == 0 else 0, "nova")
            neutron_port = self._serve(neutron, self.options.neutron_port if i == 0 else 0, "neutron")
            nova.base_url = f"http://{host}:{nova_port}"
            neutron.base_url = f"http://{host}:{neutron_port}"
            compute = (f"http://{host}:{nova_port}/v2/{self.model.admin_project_id}" if old
                       else f"http://{host}:{nova_port}/v2.1")
            self.urls[region] = {"identity": f"{ks}/v3/" if not old else f"{ks}/v3",
                                 "identity_v2": f"{ks}/v2.0", "identity_v2_admin": f"{ks}/v2.0",
                                 "compute": compute, "network": f"http://{host}:{neutron_port}"}
        log.info("keystone on %s; regions %s", ks, ", ".join(self.urls))

    def stop(self) -> None:
        for server in self.http:
            server.stop()
        self.http.clear()

    def endpoints(self) -> list[tuple[str, int]]:
        """(host, port) of every listening service, for the readiness probe."""
        return [(s.host, s.port) for s in self.http]

    def config_section(self) -> dict:
        p = self.model.params
        return {"name": "OpenStack", "host": self.options.host, "port": self.keystone_port, "user": p.admin_user,
                "pwd": p.admin_password, "admin_project": "admin", "protocol": "http"}
