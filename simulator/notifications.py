"""Model events -> oslo.messaging notifications (the payloads of the recorded Zed cloud, vim-contract §6).

`notification(model, event)` returns the inner notification dict; `envelope(n)` wraps it the way the
`messagingv2` driver does (`oslo.version` 2.0 + `oslo.message` as a JSON string).
"""

from __future__ import annotations

import json
import uuid as uuidlib
from datetime import datetime, timezone

from simulator.model import floating
from simulator.model.entities import Event, Instance
from simulator.openstack import views


def _stamp(text: str) -> str:
    """API time `2030-01-01T00:00:00Z` -> notification time `2030-01-01 00:00:00.000000`."""
    try:
        dt = datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    except (TypeError, ValueError):
        dt = datetime.now(timezone.utc)
    return dt.strftime("%Y-%m-%d %H:%M:%S.%f")


def _instance_payload(model, inst: Instance, ports: list, extra: dict) -> dict:
    flavor = model.flavors.get(inst.flavor_id)
    deleted = inst.vm_state == "deleted"
    payload = {
        "tenant_id": inst.project_id, "user_id": inst.user_id, "instance_id": inst.id,
        "display_name": inst.name, "reservation_id": "r-" + inst.id[:8], "hostname": inst.name,
        "instance_type": flavor.name if flavor else "", "instance_type_id": list(model.flavors).index(flavor.id) + 1
        if flavor else None, "instance_flavor_id": inst.flavor_id, "architecture": None,
        "memory_mb": flavor.ram if flavor else 0, "disk_gb": flavor.disk if flavor else 0,
        "vcpus": flavor.vcpus if flavor else 0, "root_gb": flavor.disk if flavor else 0, "ephemeral_gb": 0,
        "host": inst.host, "node": inst.node, "availability_zone": inst.availability_zone, "cell_name": "",
        "created_at": inst.created_at.replace("T", " ").replace("Z", "+00:00"),
        "terminated_at": inst.terminated_at.replace("Z", ".000000") if inst.terminated_at else "",
        "deleted_at": inst.terminated_at.replace("Z", ".000000") if deleted and inst.terminated_at else "",
        "launched_at": inst.launched_at.replace("Z", ".000000"),
        "image_ref_url": f"http://127.0.0.1:9292/images/{inst.image_id}", "os_type": None, "kernel_id": "",
        "ramdisk_id": "", "state": inst.vm_state, "state_description": "", "progress": "",
        "access_ip_v4": None, "access_ip_v6": None, "metadata": dict(inst.metadata),
    }
    fixed = []
    for p in ports:
        net = model.networks.get(p.network_id)
        fips = floating.of_port(model, p.id)
        for f in p.fixed_ips:
            fixed.append({"address": f["ip_address"], "type": "fixed", "version": 4, "meta": {},
                          "floating_ips": [{"address": x.floating_ip_address, "type": "floating", "version": 4,
                                            "meta": {}} for x in fips if x.fixed_ip_address == f["ip_address"]],
                          "label": net.name if net else "", "vif_mac": p.mac_address})
    if fixed or not deleted:
        payload["fixed_ips"] = fixed
    if "old_state" in extra:
        payload.update({"old_state": extra["old_state"], "old_task_state": None, "new_task_state": None,
                        "audit_period_beginning": payload["created_at"][:10] + "T00:00:00.000000",
                        "audit_period_ending": _stamp(inst.updated_at).replace(" ", "T")})
    return payload


def _payload(model, event: Event) -> dict:
    data, release = event.data, model.params.release
    if event.service == "nova":
        extra = {k: v for k, v in data.items() if k not in ("instance", "ports")}
        return _instance_payload(model, data["instance"], data.get("ports", []), extra)
    out: dict = {}
    for key, value in data.items():
        if key == "network" and not isinstance(value, dict):
            out[key] = views.network(value, release)
        elif key == "subnet" and not isinstance(value, dict):
            out[key] = views.subnet(value, release)
        elif key == "port" and not isinstance(value, dict):
            out[key] = views.port(value, release)
        elif key == "router" and not isinstance(value, dict):
            out[key] = views.router(value, model, release)
        else:
            out[key] = value
    return out


def notification(model, event: Event) -> dict:
    """The notification object (inner JSON) for one model event."""
    project = model.projects.get(event.project_id or "") if event.project_id else None
    user = next(iter(model.users.values()), None)
    publisher = ("compute." if event.service == "nova" else "network.") + event.host
    n = {"message_id": str(uuidlib.uuid4()), "publisher_id": publisher, "event_type": event.event_type,
         "priority": "INFO", "payload": _payload(model, event), "timestamp": _stamp(event.timestamp),
         "_unique_id": uuidlib.uuid4().hex}
    ctx = {"user": user.id if user else None, "project_id": event.project_id, "system_scope": None,
           "project": event.project_id, "domain": None, "is_admin": True, "read_only": False,
           "show_deleted": False, "auth_token": None, "request_id": f"req-{uuidlib.uuid4()}",
           "global_request_id": None, "resource_uuid": None, "roles": ["member", "reader", "admin"],
           "is_admin_project": True, "user_id": user.id if user else None,
           "timestamp": _stamp(event.timestamp), "user_name": user.name if user else None}
    if event.service == "nova":
        ctx.update({"user_domain": "default", "project_domain": "default", "read_deleted": "no",
                    "remote_address": None, "quota_class": None, "service_catalog": [],
                    "project_name": project.name if project else None})
    else:  # neutron sends null project/tenant names (recorded Zed behaviour)
        ctx.update({"user_domain": None, "project_domain": None, "tenant_id": event.project_id,
                    "tenant_name": None, "project_name": None})
    n.update({f"_context_{k}": v for k, v in ctx.items()})
    return n


def envelope(n: dict) -> dict:
    return {"oslo.version": "2.0", "oslo.message": json.dumps(n)}
