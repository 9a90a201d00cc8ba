"""What `calipso sim` was asked for, beyond the cloud's shape: where, how, and under which conditions."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from simulator.faults import Conditions


@dataclass
class SimOptions:
    state_dir: Path
    conditions: Conditions = field(default_factory=Conditions)
    bind: str = "127.0.0.1"           # address the servers listen on (0.0.0.0 in a container)
    advertise: str = ""               # host name written into the config and catalog (default: bind)
    name: str = ""
    aci: bool = False
    monitoring: bool = False          # hosts run deployed Sensu checks (simulator.sensu)
    amqp_url: str | None = None       # None: kombu filesystem:// bus under state_dir
    mysql_url: str | None = None      # None: the embedded MySQL wire-protocol server
    keystone_port: int = 0            # 0: a free port (5000 with --standard-ports)
    nova_port: int = 0
    neutron_port: int = 0
    extra: dict = field(default_factory=dict)  # room for protocol-specific settings

    @property
    def host(self) -> str:
        """The address clients are told to use: a container's service name, or the bind address."""
        return self.advertise or self.bind

    @property
    def release(self) -> str:
        return self.extra.get("release", "current")
