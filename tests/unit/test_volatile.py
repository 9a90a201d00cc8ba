"""Volatile fields (app.volatile) are stored but are not content: not hashed, not a changed field."""

from __future__ import annotations

from app.diffing import content_hash, field_changes
from app.volatile import steady


def vm(active: bool, ip: str = "10.0.0.5") -> dict:
    return {"type": "instance", "id": "vm1", "network_info": [
        {"id": "p1", "active": active, "network": {"subnets": [{"ips": [{"address": ip}]}]}}]}


def test_a_heartbeat_alone_is_no_change_but_a_real_field_beside_it_is():
    a = {"type": "network_agent", "id": "a1", "heartbeat_timestamp": "2026-11-24 17:40:43", "alive": True}
    b = dict(a, heartbeat_timestamp="2026-11-24 17:41:13")
    assert content_hash(a) == content_hash(b) and field_changes(a, b) == {}
    c = dict(b, alive=False)
    assert content_hash(c) != content_hash(a)
    assert field_changes(a, c) == {"alive": (True, False)}


def test_nested_paths_go_through_lists_and_dicts_and_leave_the_rest():
    assert content_hash(vm(True)) == content_hash(vm(False))
    assert field_changes(vm(True), vm(False)) == {}
    changed = field_changes(vm(True), vm(False, "10.0.0.6"))
    assert list(changed) == ["network_info"] and changed["network_info"][1] == vm(False, "10.0.0.6")["network_info"]
    host = {"type": "host", "id": "h", "services": {"nova-compute": {"active": True, "updated_at": "t1"}}}
    later = {"type": "host", "id": "h", "services": {"nova-compute": {"active": True, "updated_at": "t2"}}}
    assert content_hash(host) == content_hash(later)
    assert content_hash(host) != content_hash({**host, "services": {"nova-compute": {"active": False}}})


def test_other_types_and_the_documents_themselves_are_left_as_they_are():
    port = {"type": "port", "id": "p", "heartbeat_timestamp": "t1"}
    assert steady(port) is port
    assert content_hash(port) != content_hash(dict(port, heartbeat_timestamp="t2"))
    doc = vm(True)
    steady(doc)
    assert doc == vm(True)     # copied along the path, not changed in place


def test_an_agents_running_count_of_devices_is_no_change_but_its_mappings_are():
    """Two-node Linux bridge Zed: the agent's report said 11 devices, then 10, of an unchanged cloud."""
    conf = {"devices": 11, "interface_mappings": {"external": "c1-ext"}, "tunnel_types": ["vxlan"]}
    for t in ("network_agent", "vedge", "vconnector"):
        a = {"type": t, "id": "x", "configurations": conf}
        b = {"type": t, "id": "x", "configurations": dict(conf, devices=10)}
        assert content_hash(a) == content_hash(b) and field_changes(a, b) == {}
        c = {"type": t, "id": "x", "configurations": dict(conf, interface_mappings={"external": "eth3"})}
        assert content_hash(c) != content_hash(a)
