"""The listener waits for the agents as the real Zed cloud made it wait (recorded notifications).

On the Zed test bed a router interface's port is not even bound to a host when
`router.interface.create` arrives: the L3 agent binds it ~3 s later, when it picks the router up
and plumbs `qr-…` into the router's namespace. After `network.delete.end` the DHCP agent removes
the network's `qdhcp-…` namespace a few seconds later too. The cloud's agents are played here by
an applier whose rescans see the host change only at the second or third look.
"""

from __future__ import annotations

import pytest

from listen.converge import ConvergePolicy
from listen.events import load as load_table
from listen.processor import Delivery, Processor
from tests.fixtures import ZED

AMQP = ZED / "amqp"
ENV = "zed"
HOST = "compute1"
ROUTER = "f6cc210c-c99a-41e1-bd97-b4b16809f5f2"      # router1 of the recording
PORT = "95993148-71da-40b9-a614-fb3623dc5ba1"        # its interface on net1, qr-95993148-71
NET1 = "6707a661-73b6-41c8-80b9-9e60a9d8db44"
DELETED_NET = "7ec44a04-745b-47ad-b31f-fb63a1d509ba"  # net-tmp-renamed of network.delete.end

pytestmark = pytest.mark.skipif(not AMQP.exists(), reason="the recorded Zed outputs are not on this machine")


def doc(type_: str, id_: str, **kw) -> dict:
    return {"environment": ENV, "type": type_, "id": id_, "name": kw.pop("name", id_),
            "id_path": f"/{ENV}/{id_}", "parent_id": ENV, "parent_type": "environment", **kw}


class Agents:
    """An applier whose rescans find what the cloud's agents have done by then: `steps[i]` runs at
    the (i+1)-th rescan, changing the store as a rescan of the changed host would."""

    def __init__(self, store, steps):
        self.store, self.steps, self.calls, self.plans = store, list(steps), 0, []

    def apply(self, plans):
        self.plans.append(plans)
        if self.calls < len(self.steps):
            self.steps[self.calls](self.store["inventory"])
        self.calls += 1

        class Result:
            errors: dict = {}
        return Result()


def handle(store, event: str, applier) -> list[float]:
    slept: list[float] = []
    proc = Processor(store, ENV, load_table(), applier, sleep=slept.append, converge=ConvergePolicy())
    out = proc.handle([Delivery((AMQP / f"{event}.json").read_bytes(), lambda: None)])
    assert out.applied == 1 and out.failed == 0
    return slept


def router_port(**kw) -> dict:
    return doc("port", PORT, network_id=NET1, device_id=ROUTER, device_owner="network:router_interface",
               mac_address="fa:16:3e:9f:5c:90", **{"binding:host_id": ""}, **kw)


def test_a_router_interface_bound_and_plumbed_by_the_l3_agent_after_the_event_is_waited_for(initialized_store):
    inv = initialized_store["inventory"]
    inv.insert_many([doc("network_agent", "neutron-l3-agent-1", agent_type="L3 agent", host=HOST), router_port()])
    bind = lambda c: c.update_one({"id": PORT}, {"$set": {"binding:host_id": HOST, "status": "ACTIVE"}})  # noqa: E731
    plumb = lambda c: c.insert_one(doc("vnic", f"{HOST}-qr-95993148-71", host=HOST,   # noqa: E731
                                       mac_address="fa:16:3e:9f:5c:90", network=NET1))
    agents = Agents(initialized_store, [lambda c: None, bind, plumb])
    slept = handle(initialized_store, "router.interface.create", agents)
    assert agents.calls == 3, "the listener stopped rescanning before the L3 agent had bound and plumbed the port"
    assert inv.find_one({"environment": ENV, "type": "vnic", "mac_address": "fa:16:3e:9f:5c:90"})["network"] == NET1
    assert len(slept) == 2 and sum(slept) <= sum(ConvergePolicy().delays)
    assert agents.plans[1][0].host_scopes == (), "while no agent had bound the port, the hosts were rescanned"
    retried = [p.host_scopes for plans in agents.plans[1:] for p in plans]
    assert retried and all(s is not None and "instances" not in s for s in retried), \
        "a router's namespace lagging made the listener rescan the host's instances too"


def test_a_router_no_l3_agent_will_bind_is_not_waited_for(initialized_store):
    initialized_store["inventory"].insert_one(router_port())
    agents = Agents(initialized_store, [])
    assert handle(initialized_store, "router.interface.create", agents) == []
    assert agents.calls == 1


def test_a_deleted_network_whose_dhcp_namespace_lingers_is_rescanned_until_it_is_gone(initialized_store):
    ns = f"{HOST}-qdhcp-{DELETED_NET}"
    initialized_store["inventory"].insert_many([doc("host", HOST, host=HOST), doc("vservice", ns, host=HOST)])
    agents = Agents(initialized_store, [lambda c: None, lambda c: c.delete_one({"id": ns})])
    slept = handle(initialized_store, "network.delete.end", agents)
    assert agents.calls == 2 and len(slept) == 1
    assert initialized_store["inventory"].find_one({"environment": ENV, "type": "vservice", "id": ns}) is None


DHCP = "de0e3cac-6f5a-4663-9935-ad520285c2de"         # net1's DHCP port, ns-de0e3cac-6f in qdhcp-6707…


def dhcp_port(**kw) -> dict:
    return doc("port", DHCP, network_id=NET1, device_id=f"dhcp-{NET1}", device_owner="network:dhcp", status="DOWN",
               mac_address="fa:16:3e:81:ab:37", fixed_ips=[{"subnet_id": "s1", "ip_address": "10.0.0.2"}],
               **{"binding:host_id": ""}, **kw)


def test_a_dhcp_port_bound_after_the_subnet_event_and_addressed_later_still_is_waited_for(initialized_store):
    """Two-node Zed: the DHCP agent's port is made unbound and DOWN with the subnet, bound seconds later;
    its device shows in the namespace before the agent gives it its address. No event says when."""
    inv = initialized_store["inventory"]
    inv.insert_many([doc("network_agent", "neutron-dhcp-agent-1", agent_type="DHCP agent", host=HOST), dhcp_port()])
    vnic = f"{HOST}-ns-de0e3cac-6f"
    bind = lambda c: c.update_one({"id": DHCP}, {"$set": {"binding:host_id": HOST, "status": "ACTIVE"}})  # noqa: E731
    plumb = lambda c: c.insert_one(doc("vnic", vnic, host=HOST, mac_address="fa:16:3e:81:ab:37"))  # noqa: E731
    address = lambda c: c.update_one({"id": vnic}, {"$set": {"IP Address": "10.0.0.2", "network": NET1}})  # noqa: E731
    agents = Agents(initialized_store, [lambda c: None, bind, plumb, address])
    slept = handle(initialized_store, "subnet.create.end", agents)
    assert agents.calls == 4, "the listener stopped before the DHCP agent had bound, plumbed and addressed its port"
    assert inv.find_one({"id": vnic})["IP Address"] == "10.0.0.2" and len(slept) == 3
    assert agents.plans[1][0].host_scopes == (), "while no agent had bound the port, the hosts were rescanned"
    assert all(p.host_scopes is not None and "instances" not in p.host_scopes for p in agents.plans[3]), \
        "a DHCP namespace lagging made the listener rescan the host's instances too"


def test_a_dhcp_port_no_dhcp_agent_will_bind_is_not_waited_for(initialized_store):
    initialized_store["inventory"].insert_many([doc("network_agent", "neutron-l3-agent-1", agent_type="L3 agent",
                                                    host=HOST), dhcp_port()])
    agents = Agents(initialized_store, [])
    assert handle(initialized_store, "subnet.create.end", agents) == []
    assert agents.calls == 1


def test_a_dhcp_port_the_agent_creates_after_the_subnet_event_with_no_event_of_its_own_is_waited_for(
        initialized_store):
    """Two-node Zed, measured: the DHCP agent creates its port over RPC ~2 s after `subnet.create.end`, bound
    and DOWN, ACTIVE ~2 s later, and Neutron sends no notification for either; until the first rescan of the
    region finds it, only knowing that the subnet has DHCP on says that a port is to come."""
    inv = initialized_store["inventory"]
    inv.insert_many([doc("network_agent", "neutron-dhcp-agent-1", agent_type="DHCP agent", host=HOST),
                     doc("network", NET1, subnets=[{"id": "s1", "enable_dhcp": True, "cidr": "10.0.0.0/24"}])])
    vnic = f"{HOST}-ns-de0e3cac-6f"
    create = lambda c: c.insert_one({**dhcp_port(), "binding:host_id": HOST})  # noqa: E731
    plumb = lambda c: c.insert_one(doc("vnic", vnic, host=HOST, mac_address="fa:16:3e:81:ab:37",  # noqa: E731
                                       **{"IP Address": "10.0.0.2"}, network=NET1))
    agents = Agents(initialized_store, [lambda c: None, create, plumb])
    slept = handle(initialized_store, "subnet.create.end", agents)
    assert agents.calls == 3, "the listener stopped before the DHCP agent had created and plumbed its port"
    assert inv.find_one({"id": vnic})["IP Address"] == "10.0.0.2" and len(slept) == 2
    assert agents.plans[1][0].host_scopes == (), "while the port did not exist, the hosts were rescanned"


def test_a_subnet_without_dhcp_waits_for_no_dhcp_port(initialized_store):
    initialized_store["inventory"].insert_many([
        doc("network_agent", "neutron-dhcp-agent-1", agent_type="DHCP agent", host=HOST),
        doc("network", NET1, subnets=[{"id": "s1", "enable_dhcp": False, "cidr": "10.0.0.0/24"}])])
    agents = Agents(initialized_store, [])
    assert handle(initialized_store, "subnet.create.end", agents) == []
    assert agents.calls == 1


def _router_plumbed_late(store, status: str) -> Agents:
    store["inventory"].insert_many([doc("network_agent", "neutron-l3-agent-1", agent_type="L3 agent", host=HOST),
                                    {**router_port(status=status), "binding:host_id": HOST}])
    plumb = lambda c: c.insert_one(doc("vnic", f"{HOST}-qr-95993148-71", host=HOST,   # noqa: E731
                                       mac_address="fa:16:3e:9f:5c:90", network=NET1))
    agents = Agents(store, [lambda c: None, plumb])
    handle(store, "router.interface.create", agents)
    assert agents.calls == 2 and agents.plans[0][0].region
    return agents


def test_only_the_host_is_asked_again_when_the_api_has_said_its_last_word(initialized_store):
    """The port is bound and ACTIVE in the store: only its host lags, so the retries leave the region's networks
    and ports alone (each asking cost 1-2 s on a loaded test bed)."""
    assert not _router_plumbed_late(initialized_store, "ACTIVE").plans[1][0].region


def test_a_port_still_down_in_the_store_has_the_api_asked_again(initialized_store):
    assert _router_plumbed_late(initialized_store, "DOWN").plans[1][0].region


class RegionAgents(Agents):
    """Only a rescan that asks the region sees the API's change (here: the DHCP port's address gone)."""

    def apply(self, plans):
        if plans[0].region and self.calls >= 1:
            self.store["inventory"].update_one({"id": DHCP}, {"$set": {"fixed_ips": []}})
        return super().apply(plans)


def test_a_deleted_subnets_address_leaving_the_dhcp_port_is_asked_of_the_api_again(initialized_store):
    """Two-node Zed: after subnet.delete.end the namespace drops the address before the store's port does; the
    port stays ACTIVE, but only the API says its address went (the listener waited 28 s for the last look)."""
    net = "7ec44a04-745b-47ad-b31f-fb63a1d509ba"
    inv = initialized_store["inventory"]
    inv.insert_many([doc("network_agent", "neutron-dhcp-agent-1", agent_type="DHCP agent", host=HOST),
                     {**dhcp_port(), "status": "ACTIVE", "network_id": net, "binding:host_id": HOST, "fixed_ips": [
                         {"subnet_id": "7cc12827-a34d-4acd-a8f4-1bdf2ee95bf6", "ip_address": "10.9.9.2"}]},
                     doc("vnic", f"{HOST}-ns-de0e3cac-6f", host=HOST, mac_address="fa:16:3e:81:ab:37", network=net)])
    agents = RegionAgents(initialized_store, [lambda c: None])
    slept = handle(initialized_store, "subnet.delete.end", agents)
    assert agents.calls == 2 and len(slept) == 1, "the port's address was not asked of the API at the first retry"


class PortGoneAgents(Agents):
    """Only a rescan that asks the region sees that the API deleted the DHCP port (its network went too)."""

    def apply(self, plans):
        if plans[0].region and self.calls >= 1:
            self.store["inventory"].delete_one({"id": DHCP})
        return super().apply(plans)


def test_after_a_delete_a_port_active_in_the_store_is_asked_of_the_api_again(initialized_store):
    """Two-node Zed: a subnet and its network deleted together; the DHCP agent removes the namespace while the
    store's DHCP port is still ACTIVE; only the API says the port is gone (the host-only retries waited 28 s)."""
    net = "7ec44a04-745b-47ad-b31f-fb63a1d509ba"
    initialized_store["inventory"].insert_many([
        doc("network_agent", "neutron-dhcp-agent-1", agent_type="DHCP agent", host=HOST),
        {**dhcp_port(), "status": "ACTIVE", "network_id": net, "binding:host_id": HOST}])
    agents = PortGoneAgents(initialized_store, [lambda c: None])
    slept = handle(initialized_store, "subnet.delete.end", agents)
    assert agents.calls == 2 and len(slept) == 1, "the deleted port was not asked of the API at the first retry"
