"""The `sensu` entry of simulator.servers: the hosts' Sensu clients and the Monitoring section.

Clients publish to the simulation's own transport: the broker of `--amqp-url` (RabbitMQ, as Sensu
1.x uses it), else a kombu filesystem bus under the state directory. The Monitoring section the
simulator writes points there (`transport_url` for the filesystem bus), with provision Deploy and
the staging folder under the state directory. Runs only with `--monitoring`.
"""

from __future__ import annotations

import logging
import threading
from urllib.parse import unquote, urlsplit

from kombu import Exchange

from app.bus import connection
from simulator.sensu.client import SensuClients
from simulator.sensu.state import of as sensu_state
from simulator.sensu.views import LocalViews

log = logging.getLogger(__name__)

EXCHANGE = "results"


class SensuServer:
    def __init__(self, model, options):
        from simulator.ssh.service import ViewCache
        from simulator.ssh.shell import Shell

        self.model, self.options = model, options
        self.url = options.amqp_url or f"filesystem://{(options.state_dir / 'sensu-bus').resolve()}"
        state = sensu_state(options)
        shell = Shell(LocalViews(ViewCache(model), state, options.conditions))
        self.clients = SensuClients(state, shell, self._publish, scale=float(options.extra.get("sensu_scale", 1.0)))
        self._lock = threading.Lock()
        self._conn = self._producer = None
        self.exchange = Exchange(EXCHANGE, type="direct", durable=False)

    def start(self) -> None:
        self._conn = connection(self.url)
        self._conn.ensure_connection(max_retries=3)
        self._producer = self._conn.Producer()
        self.exchange(self._producer.channel).declare()
        self.clients.start()

    def _publish(self, body: bytes) -> None:
        if self.options.conditions.has("amqp", "down"):
            return
        with self._lock:
            self._producer.publish(body, exchange=self.exchange, routing_key="", content_type="application/json",
                                   content_encoding="utf-8", retry=True, retry_policy={"max_retries": 3})

    def stop(self) -> None:
        self.clients.stop()
        if self._conn is not None:
            self._conn.release()

    def config_section(self) -> dict:
        section = {"type": "Sensu", "provision": "Deploy", "env_type": "development", "server_name": "sensu-sim",
                   "api_port": 4567, "config_folder": str((self.options.state_dir / "sensu_config").resolve()),
                   "install_monitoring_client": False}
        if self.url.startswith("filesystem://"):
            return {**section, "server_ip": "127.0.0.1", "rabbitmq_port": 5672, "rabbitmq_user": "sensu",
                    "rabbitmq_pass": "unused", "transport_url": self.url}
        parts = urlsplit(self.url)
        vhost = unquote(parts.path[1:]) if parts.path not in ("", "/") else "/"
        return {**section, "server_ip": parts.hostname or "127.0.0.1", "rabbitmq_port": parts.port or 5672,
                "rabbitmq_user": unquote(parts.username or "guest"), "rabbitmq_pass": unquote(parts.password or "guest"),
                "rabbitmq_vhost": vhost or "/"}
