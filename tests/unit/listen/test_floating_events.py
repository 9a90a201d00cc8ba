"""Floating IP events: what each plans, where the applier finds the floating IP after a disassociation,
and the listener waiting for the L3 agent and Nova to catch up. The notifications are the simulated
cloud's, in the shapes Neutron sends (the recorded Zed cloud had no floating IP)."""

from __future__ import annotations

import json

import pytest

from listen.converge import ConvergePolicy
from listen.envelope import parse
from listen.events import load as load_table
from listen.floating import holders, lags
from listen.processor import Delivery, Processor
from simulator.model import Params, build_model
from simulator.notifications import envelope, notification

ENV = "e"


@pytest.fixture
def cloud():
    m = build_model(Params(computes=2, instances=2))
    m._building = False
    events = []
    m.subscribe(events.append)
    ext = next(n for n in m.networks.values() if n.external)
    inst = next(iter(m.instances.values()))
    return m, events, ext, inst, m.ports[inst.port_ids[0]]


def body(m, event) -> bytes:
    return json.dumps(envelope(notification(m, event))).encode()


def plan(m, event):
    n = parse(body(m, event))
    return load_table()[n.event_type].plan(n)


def test_each_event_names_the_floating_ip_and_while_associated_its_router_and_port(cloud):
    m, events, ext, _, port = cloud
    fip = m.create_floating_ip(ext.id)
    created = plan(m, events[-1])
    assert (created.object_type, created.object_id, created.region) == ("floatingip", fip.id, True)
    assert created.floating == {fip.floating_ip_address: False} and not created.devices and not created.ports
    m.update_floating_ip(fip.id, port_id=port.id)
    linked = plan(m, events[-1])
    assert linked.floating == {fip.floating_ip_address: True}
    assert linked.devices == {fip.router_id} and linked.ports == {port.id}
    m.update_floating_ip(fip.id, port_id=None)
    assert plan(m, events[-1]).floating == {fip.floating_ip_address: False}
    m.delete_floating_ip(fip.id)
    gone = plan(m, events[-1])
    assert gone.object_id == fip.id and gone.floating == {fip.floating_ip_address: False}


def doc(type_: str, id_: str, **kw) -> dict:
    return {"environment": ENV, "type": type_, "id": id_, "name": kw.pop("name", id_), "id_path": f"/{ENV}/{id_}",
            "parent_id": ENV, "parent_type": "environment", **kw}


def vm(address: str | None) -> dict:
    ips = [{"address": "10.0.0.5", "floating_ips": [{"address": address}] if address else []}]
    return doc("instance", "vm1", host="cmp-1", network_info=[{"network": {"subnets": [{"ips": ips}]}}])


def qg(address: str | None, router: str = "r1") -> dict:
    data = "inet 172.24.4.3/24 brd 172.24.4.255 scope global qg-1" + (f"\ninet {address}/32 scope global" if address
                                                                        else "")
    return doc("vnic", "net-1-qg-1", name="qg-1", host="net-1", vnic_type="vservice_vnic", data=data,
               vservice_id=f"net-1-qrouter-{router}")


def test_the_hosts_that_show_a_floating_ip_are_found_in_the_store():
    docs = [vm("172.24.4.9"), qg("172.24.4.9"), doc("instance", "vm2", host="cmp-2", network_info=[])]
    assert holders(docs, {"172.24.4.9"}) == {"cmp-1", "net-1"}
    assert holders(docs, {"172.24.4.10"}) == set()


class Agents:
    """Rescans that find, one step at a time, what the L3 agent and Nova have done by then."""

    def __init__(self, store, steps):
        self.store, self.steps, self.calls = store, list(steps), 0

    def apply(self, plans):
        if self.calls < len(self.steps):
            self.steps[self.calls](self.store["inventory"])
        self.calls += 1

        class Result:
            errors: dict = {}
        return Result()


def test_an_associated_floating_ip_is_waited_for_on_the_gateway_and_in_network_info(cloud, initialized_store):
    m, events, ext, inst, port = cloud
    fip = m.create_floating_ip(ext.id, port_id=port.id)
    address = fip.floating_ip_address
    inv = initialized_store["inventory"]
    inv.insert_many([doc("port", fip.floating_port_id, device_owner="network:floatingip", device_id=fip.id),
                     doc("port", port.id, device_id="vm1"), vm(None), qg(None, fip.router_id)])
    agents = Agents(initialized_store, [lambda c: None,      # Nova first, then the L3 agent: both are waited for
                                        lambda c: c.update_one({"id": "vm1"}, {"$set": vm(address)}),
                                        lambda c: c.update_one({"id": "net-1-qg-1"},
                                                               {"$set": qg(address, fip.router_id)})])
    slept: list[float] = []
    proc = Processor(initialized_store, ENV, load_table(), agents, sleep=slept.append, converge=ConvergePolicy())
    assert proc.handle([Delivery(body(m, events[-1]), lambda: None)]).applied == 1
    assert agents.calls == 3 and len(slept) == 2
    plans = [plan(m, events[-1])]
    assert lags(initialized_store, ENV, plans) == []
    inv.update_one({"id": "vm1"}, {"$set": vm(None)})
    assert [str(x) for x in lags(initialized_store, ENV, plans)] == [
        f"floating IP {address} not in its instance's network_info yet"]
    inv.delete_one({"id": fip.floating_port_id})   # deleted since: its delete event follows, nothing to wait for
    assert lags(initialized_store, ENV, plans) == []
