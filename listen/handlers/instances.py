"""Nova instance events (spec §3.5): create/rebuild, update, delete, and power/suspend as status."""

from __future__ import annotations

from app.instance_status import status_fields
from listen.envelope import Notification
from listen.handlers.base import need, opt
from listen.plan import Plan


def _instance_plan(n: Notification, action: str) -> Plan:
    iid = need(n, "instance_id")
    host = opt(n, "host")
    return Plan(action, "instance", iid, region=True, hosts={host} if host else set(), devices={iid})


class InstanceAdd:
    """create.end / rebuild.end: the instance, its vNICs, and the host's vConnectors and vEdges."""

    def plan(self, n: Notification) -> Plan:
        need(n, "host")
        return _instance_plan(n, "instance add")


class InstanceUpdate:
    """compute.instance.update: ignored while building (the create.end follows), else a rescan of it."""

    def plan(self, n: Notification) -> Plan:
        iid = need(n, "instance_id")
        state = need(n, "state")
        if state == "building":
            return Plan("instance update", "instance", iid, skip="instance is still building")
        return _instance_plan(n, "instance delete" if state == "deleted" else "instance update")


class InstanceDelete:
    def plan(self, n: Notification) -> Plan:
        return _instance_plan(n, "instance delete")


class InstanceStatus:
    """shutdown/power_off/suspend (down) and power_on/resume (up): the instance's status changes."""

    def __init__(self, direction: str):
        self.direction = direction

    def plan(self, n: Notification) -> Plan:
        state = need(n, "state")
        p = _instance_plan(n, f"instance {self.direction}")
        if not n.event_type.endswith(".start"):   # a .start payload still shows the state before the change
            # the API's word (SHUTOFF), as a scan stores it, not the notification's vm_state (stopped)
            p.instance_status = {**status_fields(state), "state_description": opt(n, "state_description") or ""}
        return p


class InstanceDown(InstanceStatus):
    def __init__(self):
        super().__init__("down")


class InstanceUp(InstanceStatus):
    def __init__(self):
        super().__init__("up")
