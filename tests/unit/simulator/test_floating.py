"""Floating IPs of the simulated cloud: what each facade shows of one, and when (the L3 agent's delay)."""

from __future__ import annotations

import time

import pytest

from simulator.hostview_build import build
from simulator.model import BadRequest, NotFound, Params, build_model
from simulator.model import floating
from simulator.mysql.rows import network_info
from simulator.notifications import notification
from simulator.openstack.views import server_addresses


@pytest.fixture
def cloud():
    m = build_model(Params(computes=2, instances=2))
    m._building = False
    events = []
    m.subscribe(events.append)
    ext = next(n for n in m.networks.values() if n.external)
    inst = next(iter(m.instances.values()))
    return m, events, ext, inst, m.ports[inst.port_ids[0]]


def gateway(m, router_id: str) -> list[tuple[str, int]]:
    router = m.routers[router_id]
    ns = next(n for n in build(m, router.host).namespaces if n.name == f"qrouter-{router.id}")
    return [(a.address, a.prefix) for link in ns.links if link.name.startswith("qg-") for a in link.inet]


def test_a_floating_ip_shows_in_neutron_the_router_nova_and_the_notifications(cloud):
    m, events, ext, inst, port = cloud
    fip = m.create_floating_ip(ext.id)
    own = m.ports[fip.floating_port_id]
    assert own.device_owner == "network:floatingip" and own.device_id == fip.id and own.project_id == ""
    assert floating.view(m, fip)["status"] == "DOWN" and floating.view(m, fip)["port_id"] is None
    m.update_floating_ip(fip.id, port_id=port.id)
    view = floating.view(m, fip)
    assert view["status"] == "ACTIVE" and view["fixed_ip_address"] == port.fixed_ips[0]["ip_address"]
    assert (fip.floating_ip_address, 32) in gateway(m, view["router_id"])
    ips = network_info(m, inst)[0]["network"]["subnets"][0]["ips"][0]
    assert ips["floating_ips"] == [{"address": fip.floating_ip_address, "type": "floating", "version": 4, "meta": {}}]
    kinds = [a["OS-EXT-IPS:type"] for a in next(iter(server_addresses(inst, m).values()))]
    assert kinds[-1] == "floating"
    m.rename_server(inst.id, "renamed")      # Nova's own notifications carry it too
    nova = notification(m, events[-1])["payload"]["fixed_ips"][0]
    assert [f["address"] for f in nova["floating_ips"]] == [fip.floating_ip_address]
    del events[-1]
    m.delete_floating_ip(fip.id)
    assert fip.floating_port_id not in m.ports and (fip.floating_ip_address, 32) not in gateway(m, view["router_id"])
    assert [e.event_type for e in events] == [f"floatingip.{a}.{s}" for a in ("create", "update", "delete")
                                              for s in ("start", "end")]
    end = notification(m, events[-1])["payload"]
    assert end["floatingip_id"] == fip.id and end["floatingip"]["floating_ip_address"] == fip.floating_ip_address


def test_the_l3_agent_puts_the_address_on_and_takes_it_off_late(cloud):
    m, _, ext, _, port = cloud
    m.params.agent_delay = 0.3
    fip = m.create_floating_ip(ext.id, port_id=port.id)
    assert (fip.floating_ip_address, 32) not in gateway(m, fip.router_id) and not m.settled()
    time.sleep(0.35)
    assert (fip.floating_ip_address, 32) in gateway(m, fip.router_id)
    router = fip.router_id
    m.update_floating_ip(fip.id, port_id=None)
    assert floating.view(m, fip)["router_id"] is None
    assert (fip.floating_ip_address, 32) in gateway(m, router), "taken off the gateway at once"
    time.sleep(0.35)
    assert (fip.floating_ip_address, 32) not in gateway(m, router) and m.settled()


def test_bad_requests_are_refused_and_leave_nothing_behind(cloud):
    m, _, ext, _, port = cloud
    tenant = next(n for n in m.networks.values() if not n.external)
    with pytest.raises(BadRequest):
        m.create_floating_ip(tenant.id)
    other = m.create_network("isolated")
    m.create_subnet(other.id, "10.99.0.0/24")
    lone = m.create_port(other.id)
    ports = len(m.ports)
    with pytest.raises(NotFound):   # no router joins that subnet to the external network
        m.create_floating_ip(ext.id, port_id=lone.id)
    assert len(m.ports) == ports and not m.floating_ips
    with pytest.raises(NotFound):
        m.update_floating_ip("0" * 36, port_id=port.id)
