"""Nova server groups. The inventory has no server-group object (neither had the original's), so
create/update/delete only leave a message; addmember refreshes the member instances."""

from __future__ import annotations

from listen.envelope import Notification
from listen.handlers.base import need, opt
from listen.plan import Plan


class ServerGroupEvent:
    def plan(self, n: Notification) -> Plan:
        gid = need(n, "server_group_id")
        action = n.event_type.split(".", 1)[1] if "." in n.event_type else n.event_type
        return Plan(f"server group {action}", "server_group", gid,
                    skip="server groups are not inventory objects")


class ServerGroupAddMember:
    def plan(self, n: Notification) -> Plan:
        gid = need(n, "server_group_id")
        members = opt(n, "instance_uuids") or []
        if not isinstance(members, list):
            members = [members]
        return Plan("server group addmember", "server_group", gid, devices={str(m) for m in members})
