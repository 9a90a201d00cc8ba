"""The one table: OpenStack event type -> handler (the admin guide's table, spec §3.4, complete,
and the floating IP events the original acknowledged and dropped).

Handler names resolve through HANDLERS ("module:Class"); `load()` checks every entry at
start-up and reports all problems at once, with a "did you mean" hint, so a typo never
surfaces mid-stream. Event types not in the table are bad input (recorded, acked, skipped).
"""

from __future__ import annotations

from app.errors import CalipsoError
from app.registry import did_you_mean, load_object
from listen.handlers.base import Handler

HANDLERS: dict[str, str] = {
    "InstanceAdd": "listen.handlers.instances:InstanceAdd",
    "InstanceUpdate": "listen.handlers.instances:InstanceUpdate",
    "InstanceDelete": "listen.handlers.instances:InstanceDelete",
    "InstanceDown": "listen.handlers.instances:InstanceDown",
    "InstanceUp": "listen.handlers.instances:InstanceUp",
    "ServerGroupEvent": "listen.handlers.servergroups:ServerGroupEvent",
    "ServerGroupAddMember": "listen.handlers.servergroups:ServerGroupAddMember",
    "NetworkAdd": "listen.handlers.neutron:NetworkAdd",
    "NetworkUpdate": "listen.handlers.neutron:NetworkUpdate",
    "NetworkDelete": "listen.handlers.neutron:NetworkDelete",
    "SubnetAdd": "listen.handlers.neutron:SubnetAdd",
    "SubnetUpdate": "listen.handlers.neutron:SubnetUpdate",
    "SubnetDelete": "listen.handlers.neutron:SubnetDelete",
    "PortAdd": "listen.handlers.neutron:PortAdd",
    "PortUpdate": "listen.handlers.neutron:PortUpdate",
    "PortDelete": "listen.handlers.neutron:PortDelete",
    "RouterAdd": "listen.handlers.neutron:RouterAdd",
    "RouterUpdate": "listen.handlers.neutron:RouterUpdate",
    "RouterDelete": "listen.handlers.neutron:RouterDelete",
    "InterfaceAdd": "listen.handlers.neutron:InterfaceAdd",
    "InterfaceDelete": "listen.handlers.neutron:InterfaceDelete",
    "FloatingIpAdd": "listen.handlers.floatingips:FloatingIpAdd",
    "FloatingIpUpdate": "listen.handlers.floatingips:FloatingIpUpdate",
    "FloatingIpDelete": "listen.handlers.floatingips:FloatingIpDelete",
}

EVENTS: dict[str, str] = {
    "compute.instance.create.end": "InstanceAdd",
    "compute.instance.rebuild.end": "InstanceAdd",
    "compute.instance.update": "InstanceUpdate",
    "compute.instance.delete.end": "InstanceDelete",
    # not implemented by the original, listed in its admin guide: power and suspend as status changes
    "compute.instance.shutdown.start": "InstanceDown",
    "compute.instance.shutdown.end": "InstanceDown",
    "compute.instance.power_off.start": "InstanceDown",
    "compute.instance.power_off.end": "InstanceDown",
    "compute.instance.suspend.start": "InstanceDown",
    "compute.instance.suspend.end": "InstanceDown",
    "compute.instance.power_on.end": "InstanceUp",
    "compute.instance.resume.end": "InstanceUp",
    "servergroup.create": "ServerGroupEvent",
    "servergroup.update": "ServerGroupEvent",
    "servergroup.delete": "ServerGroupEvent",
    "servergroup.addmember": "ServerGroupAddMember",
    "network.create.end": "NetworkAdd",
    "network.update": "NetworkUpdate",
    "network.update.end": "NetworkUpdate",
    "network.delete": "NetworkDelete",
    "network.delete.end": "NetworkDelete",
    "subnet.create": "SubnetAdd",
    "subnet.create.end": "SubnetAdd",
    "subnet.update": "SubnetUpdate",
    "subnet.update.end": "SubnetUpdate",
    "subnet.delete": "SubnetDelete",
    "subnet.delete.end": "SubnetDelete",
    "port.create": "PortAdd",
    "port.create.end": "PortAdd",
    "port.update": "PortUpdate",
    "port.update.end": "PortUpdate",
    "port.delete": "PortDelete",
    "port.delete.end": "PortDelete",
    "router.create": "RouterAdd",
    "router.create.end": "RouterAdd",
    "router.update": "RouterUpdate",
    "router.update.end": "RouterUpdate",
    "router.delete": "RouterDelete",
    "router.delete.end": "RouterDelete",
    "router.interface.create": "InterfaceAdd",
    "router.interface.create.end": "InterfaceAdd",
    "router.interface.delete": "InterfaceDelete",
    "router.interface.delete.end": "InterfaceDelete",
    "floatingip.create.end": "FloatingIpAdd",
    "floatingip.update.end": "FloatingIpUpdate",
    "floatingip.delete.end": "FloatingIpDelete",
}


class EventTableError(CalipsoError):
    pass


def load(events: dict[str, str] | None = None, handlers: dict[str, str] | None = None) -> dict[str, Handler]:
    """event type -> handler instance, every entry checked; one error listing every problem."""
    events = EVENTS if events is None else events
    handlers = HANDLERS if handlers is None else handlers
    problems: list[str] = []
    instances: dict[str, Handler] = {}
    for name, target in handlers.items():
        try:
            obj = load_object(target)()
        except (ImportError, AttributeError, TypeError) as e:
            problems.append(f"handler {name} -> {target}: {e}")
            continue
        if not callable(getattr(obj, "plan", None)):
            problems.append(f"handler {name} -> {target} has no plan(notification) method")
            continue
        instances[name] = obj
    table: dict[str, Handler] = {}
    for event_type, name in events.items():
        if name not in handlers:
            problems.append(f"event {event_type}: unknown handler {name!r}{did_you_mean(name, handlers)}")
        elif name in instances:
            table[event_type] = instances[name]
    if problems:
        raise EventTableError("event handler table is invalid: " + "; ".join(problems))
    return table
