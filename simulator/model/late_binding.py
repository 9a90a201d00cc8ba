"""Ports an agent binds or makes itself, some time after the API made the subnet (Zed, two nodes).

Seen in one run: after `subnet.create.end` the DHCP agent's port exists unbound and DOWN (no
`port.create.end`: the agent made it over RPC); seconds later the agent binds it to its host, a
`port.update.end` says so, and the L2 agent wires it (`--agent-delay` more). The simulated agent does the
same through the model's own `update_port`, so every facade and the notifications show it.
Seen in another (`--dhcp-port-events none`): the agent makes the port ~2 s after the subnet, already bound,
ACTIVE ~2 s later, and Neutron sends no notification for it at all.
"""

from __future__ import annotations

import logging
import threading
import time

from simulator.model.errors import BadRequest, NotFound

log = logging.getLogger(__name__)


def bind_later(model, port_id: str, host: str, delay: float) -> threading.Timer:
    """Bind `port_id` to `host` after `delay` seconds, unless it is gone or bound by then."""
    def bind() -> None:
        with model.lock:
            port = model.ports.get(port_id)
            if port is None or port.host:
                return
        try:
            model.update_port(port_id, host=host)
        except (NotFound, BadRequest) as e:   # deleted or its host gone meanwhile
            log.debug("port %s not bound late: %s", port_id, e)
    timer = threading.Timer(delay, bind)
    timer.daemon = True
    timer.start()
    return timer


def create_later(model, network_id: str, subnet_id: str, ip: str, delay: float) -> threading.Timer:
    """The DHCP agent makes its port after `delay` seconds over RPC: bound to its host, no notification."""
    model.settled_at = max(model.settled_at, time.time() + 2 * delay)   # made, then plumbed

    def make() -> None:
        with model._mutation():
            net, sub = model.networks.get(network_id), model.subnets.get(subnet_id)
            if net is None or sub is None or not net.dhcp_host or any(
                    p.device_owner == "network:dhcp" for p in model.ports_of_network(network_id)):
                return
            model._create_port(net, name="", project_id=net.project_id,
                               fixed_ips=[{"subnet_id": sub.id, "ip_address": ip}], device_owner="network:dhcp",
                               device_id=f"dhcp-{net.dhcp_host}-{net.id}", host=net.dhcp_host)
    timer = threading.Timer(delay, make)
    timer.daemon = True
    timer.start()
    return timer
