"""Latency and faults every protocol server consults (`--latency`, `--fault`).

`--latency api=MS,db=MS,ssh=MS` adds a delay to each call of that protocol family
(api = Keystone/Nova/Neutron/APIC HTTP, db = MySQL, ssh = SSH commands, amqp = publishing).
`--fault TARGET:KIND` (repeatable): TARGET is a simulated host id (its SSH) or a service name
(keystone, nova, neutron, api, mysql, db, ssh, amqp, apic); KIND is one of:
  down     refuse connections (the port is closed for that host / service)
  auth     every authentication fails with that protocol's real error
  slow     each call takes SLOW_SECONDS more (longer than a client's usual timeout is not needed: 2 s)
  garbage  answers are malformed (truncated / not the expected format)
  hostkey  (hosts, SSH) the host presents a key other than the one in known_hosts
and, on a host only, what its monitoring checks see (simulator.sensu):
  pnic-down  its data-plane physical NICs lose their link (all but the first, management NIC)
  ovs-down   the Open vSwitch daemons are not running
  dhcp-down  the dnsmasq of its DHCP namespaces is gone
and, on a host only, in its model (what every view of it shows):
  tunnel-lost  its br-tun lacks the tunnel port to its first peer (an OVS restart the agent missed)
Faults can be set and cleared while the simulator runs (`Conditions.add`/`remove`).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from simulator.model.errors import BadRequest

FAULT_KINDS = ("down", "auth", "slow", "garbage", "hostkey")
HOST_FAULT_KINDS = ("pnic-down", "ovs-down", "dhcp-down")
MODEL_FAULT_KINDS = ("tunnel-lost",)
LATENCY_KEYS = ("api", "db", "ssh", "amqp")
SERVICE_TARGETS = ("keystone", "nova", "neutron", "api", "mysql", "db", "ssh", "amqp", "apic")
#: which service targets a protocol family also honours
_FAMILY = {"keystone": ("api",), "nova": ("api",), "neutron": ("api",), "apic": ("api",),
           "mysql": ("db",), "db": ("mysql",), "ssh": (), "amqp": ()}
SLOW_SECONDS = 2.0


@dataclass
class Conditions:
    """Parsed latency (seconds per family) and faults (target -> kinds); faults may change at run time."""

    latency: dict[str, float] = field(default_factory=dict)
    faults: dict[str, set[str]] = field(default_factory=dict)

    def has(self, target: str, kind: str) -> bool:
        """Is fault `kind` set on `target` (a host id or a service name, including its family)?"""
        kinds = self.faults.get(target, set())
        if kind in kinds:
            return True
        return any(kind in self.faults.get(alias, set()) for alias in _FAMILY.get(target, ()))

    def add(self, target: str, kind: str) -> None:
        """Break something while the simulator runs (the demo's churn, tests)."""
        self.faults = {**self.faults, target: self.faults.get(target, set()) | {kind}}

    def remove(self, target: str, kind: str) -> None:
        self.faults = {**self.faults, target: self.faults.get(target, set()) - {kind}}

    def delay(self, family: str, target: str | None = None) -> float:
        extra = SLOW_SECONDS if target is not None and self.has(target, "slow") else 0.0
        return self.latency.get(family, 0.0) + extra

    def wait(self, family: str, target: str | None = None) -> None:
        """Sleep the configured latency (plus a `slow` fault) before answering."""
        d = self.delay(family, target)
        if d > 0:
            time.sleep(d)


def parse_latency(text: str | None) -> dict[str, float]:
    """`api=50,db=5` -> {"api": 0.05, "db": 0.005}."""
    out: dict[str, float] = {}
    if not text:
        return out
    for part in text.split(","):
        key, sep, value = part.partition("=")
        key = key.strip()
        if not sep or key not in LATENCY_KEYS:
            raise BadRequest(f"--latency: {part!r} is not KEY=MS with KEY one of {', '.join(LATENCY_KEYS)}")
        try:
            ms = float(value)
        except ValueError:
            raise BadRequest(f"--latency: {value!r} is not a number of milliseconds") from None
        if ms < 0:
            raise BadRequest(f"--latency: {key} must not be negative")
        out[key] = ms / 1000.0
    return out


def parse_faults(items: list[str] | None, hosts: set[str]) -> dict[str, set[str]]:
    """`["cmp-1:down", "nova:slow"]` -> {"cmp-1": {"down"}, "nova": {"slow"}}; unknown targets are refused."""
    out: dict[str, set[str]] = {}
    for item in items or []:
        target, sep, kind = item.rpartition(":")
        kinds = FAULT_KINDS + HOST_FAULT_KINDS + MODEL_FAULT_KINDS
        if not sep or kind not in kinds:
            raise BadRequest(f"--fault: {item!r} is not HOST:KIND with KIND one of {', '.join(kinds)}")
        if kind in HOST_FAULT_KINDS + MODEL_FAULT_KINDS and target not in hosts:
            raise BadRequest(f"--fault: {kind} applies to a simulated host, {target!r} is none")
        if target not in hosts and target not in SERVICE_TARGETS:
            raise BadRequest(f"--fault: {target!r} is neither a simulated host nor a service "
                             f"({', '.join(SERVICE_TARGETS)})")
        out.setdefault(target, set()).add(kind)
    return out
