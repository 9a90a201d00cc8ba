"""An environment's notification queue: its name, its bindings, and declaring it ahead of the listener.

One place for both sides: `calipso listen` consumes this queue, and adding an environment with
`listen: true` declares it (durable) at once, so what the cloud publishes before the first listener
run waits there instead of being dropped. The queue is bound to the `nova` and `neutron` topic
exchanges with routing key `notifications.info`, declared as oslo declares them (topic, non-durable),
so either side may come first; OpenStack's own queues are never consumed.
"""

from __future__ import annotations

import logging

from kombu import Exchange, Queue, binding

from app.bus import amqp_url, connection

log = logging.getLogger(__name__)

EXCHANGES = ("nova", "neutron")
ROUTING_KEY = "notifications.info"


def queue_name(env: str) -> str:
    return f"calipso-{env}-notifications"


def notification_queue(name: str, exchanges: tuple[str, ...] = EXCHANGES, routing_key: str = ROUTING_KEY) -> Queue:
    return Queue(name, durable=True, auto_delete=False,
                 bindings=[binding(Exchange(x, type="topic", durable=False), routing_key=routing_key)
                           for x in exchanges])


def declare_for(env: dict, timeout: float = 3.0) -> str | None:
    """Declare the queue of an environment that listens; returns a note for the user (None: nothing to do).

    A broker that cannot be reached is not an error of the environment: the note says what it means.
    """
    if not env.get("listen"):
        return None
    section = next((s for s in env.get("configuration") or [] if isinstance(s, dict) and s.get("name") == "AMQP"), None)
    if section is None:
        return None
    name = queue_name(env["name"])
    try:
        with connection(amqp_url(section), connect_timeout=timeout) as conn:
            conn.ensure_connection(max_retries=1, timeout=timeout)
            notification_queue(name)(conn.channel()).declare()
    except Exception as e:   # every transport raises its own kinds
        log.warning("environment %s: could not declare its queue %s (%s); notifications sent before the "
                    "first 'calipso listen' will be lost", env["name"], name, str(e)[:200])
        return (f"could not declare the notification queue {name} ({type(e).__name__}); events before the first "
                "'calipso listen' are not kept")
    log.info("environment %s: notification queue %s declared", env["name"], name)
    return f"notification queue {name} declared: events wait there for 'calipso listen'"
