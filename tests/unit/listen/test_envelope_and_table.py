"""Envelopes (both oslo.messaging versions) and the event table, on the recorded Zed notifications."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from listen.envelope import BadMessage, encode_v2, parse
from listen.events import EVENTS, EventTableError, load
from tests.fixtures import ZED

AMQP = ZED / "amqp"
RECORDED = sorted(p for p in AMQP.glob("*.json") if p.name != "index.json")


def inner(path: Path) -> dict:
    return json.loads(json.loads(path.read_text())["oslo.message"])


@pytest.mark.parametrize("path", RECORDED, ids=lambda p: p.stem)
def test_v2_and_v1_bodies_of_every_recorded_notification_decode_alike(path):
    v2 = parse(path.read_bytes())
    v1 = parse(json.dumps(inner(path)).encode())
    assert v2 == v1
    assert v2.event_type == inner(path)["event_type"] and v2.message_id and v2.when is not None


def test_publisher_host_and_project_come_from_the_envelope():
    n = parse((AMQP / "router.interface.create.json").read_bytes())
    assert n.publisher_host == "vm"
    assert n.project_id == "3d6ab10660f64569bc715f8d7b1bc964"
    assert n.level == "info"


@pytest.mark.parametrize("body,reason", [
    (b"not json{", "not JSON"),
    (b"[1, 2]", "not an object"),
    (json.dumps({"oslo.version": "2.0", "oslo.message": "{broken"}).encode(), "oslo.message is not JSON"),
    (json.dumps({"method": "report_state", "args": {}}).encode(), "RPC message"),
    (json.dumps({"event_type": "port.create.end"}).encode(), "payload is missing"),
    (b"\xff\xfe", "not UTF-8"),
])
def test_bad_bodies_say_why(body, reason):
    with pytest.raises(BadMessage, match=reason):
        parse(body)


def test_every_admin_guide_event_has_a_handler_including_the_ones_the_original_left_out():
    table = load()
    guide = ["compute.instance.create.end", "compute.instance.rebuild.end", "compute.instance.update",
             "compute.instance.delete.end", "compute.instance.shutdown.start", "compute.instance.power_off.start",
             "compute.instance.suspend.start", "compute.instance.power_on.end", "compute.instance.suspend.end",
             "servergroup.create", "servergroup.update", "servergroup.addmember", "servergroup.delete"]
    guide += [f"{o}.{a}{e}" for o in ("network", "subnet", "port", "router") for a in ("update", "delete")
              for e in ("", ".end")]
    guide += [f"{o}.create{e}" for o in ("subnet", "port", "router") for e in ("", ".end")] + ["network.create.end"]
    guide += [f"router.interface.{a}{e}" for a in ("create", "delete") for e in ("", ".end")]
    missing = [e for e in guide if e not in table]
    assert not missing


def test_a_misspelt_handler_fails_at_start_up_with_a_hint():
    with pytest.raises(EventTableError, match="did you mean 'PortAdd'"):
        load({**EVENTS, "port.create.end": "PortAd"})
    with pytest.raises(EventTableError, match="listen.handlers.nowhere"):
        load(handlers={"PortAdd": "listen.handlers.nowhere:PortAdd"}, events={"port.create.end": "PortAdd"})


@pytest.mark.parametrize("path", [p for p in RECORDED if inner(p)["event_type"] in EVENTS], ids=lambda p: p.stem)
def test_every_handled_recorded_event_plans_the_object_it_is_about(path):
    n = parse(path.read_bytes())
    plan = load()[n.event_type].plan(n)
    ids = json.dumps(n.payload)
    assert plan.object_id and plan.object_id in ids
    if not plan.skip:
        assert plan.region or plan.hosts or plan.devices


def test_instance_update_while_building_changes_nothing_and_says_so():
    n = parse((AMQP / "compute.instance.update.json").read_bytes())
    assert n.payload["state"] == "building"
    assert "building" in load()[n.event_type].plan(n).skip


def test_power_events_are_status_changes_but_a_start_half_does_not_set_a_status():
    table = load()
    off = parse((AMQP / "compute.instance.power_off.end.json").read_bytes())
    assert table[off.event_type].plan(off).instance_status["status"] == "SHUTOFF"
    start = parse((AMQP / "compute.instance.power_off.start.json").read_bytes())
    assert table[start.event_type].plan(start).instance_status is None


@pytest.mark.parametrize("event_type,payload,field", [
    ("compute.instance.create.end", {"instance_id": "i-1"}, "host"),
    ("port.create.end", {"port": {"id": "p-1"}}, "port.network_id"),
    ("router.delete.end", {"something": 1}, "router.id or router_id or id"),
    ("router.interface.create", {"router_interface": {"id": "r-1"}}, "router_interface.port_id"),
    ("servergroup.create", {}, "server_group_id"),
])
def test_a_payload_missing_a_field_names_it(event_type, payload, field):
    n = parse(encode_v2({"event_type": event_type, "payload": payload, "message_id": "m"}))
    with pytest.raises(BadMessage, match=field.replace(".", r"\.")):
        load()[event_type].plan(n)
