"""Ports an agent binds itself, some time after the API made them (Zed, two nodes).

After `subnet.create.end` the DHCP agent's port exists unbound and DOWN (no `port.create.end`: the
agent made it over RPC); seconds later the agent binds it to its host, a `port.update.end` says so,
and the L2 agent wires it (`--agent-delay` more). The simulated agent does the same through the
model's own `update_port`, so every facade and the notifications show it.
"""

from __future__ import annotations

import logging
import threading

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
