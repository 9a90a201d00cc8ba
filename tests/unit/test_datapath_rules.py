"""The rules a path walks by (app.topology.datapath) and the tunnels an OTEP holds (app.topology.tunnels),
on documents shaped as the scanner stores them."""

from __future__ import annotations

from app.topology.datapath import UNCOMMITTED, UNDERLAY, enter
from app.topology.tunnels import carries, segment, tunnels

NETS = {"n1": {"id": "n1", "provider:network_type": "vxlan", "provider:segmentation_id": 521},
        "n2": {"id": "n2", "provider:network_type": "vxlan", "provider:segmentation_id": 975},
        "v1": {"id": "v1", "provider:network_type": "vlan", "provider:segmentation_id": 101,
               "provider:physical_network": "physnet1"}}


def link(lt: str, source: str, target: str, **attributes) -> dict:
    return {"link_type": lt, "source_id": source, "target_id": target, "attributes": attributes}


def step(ctx, l, forward=True, there=None, ends=()):
    return enter(ctx, l, forward, there, NETS, set(ends).__contains__)


def test_a_packet_stays_in_its_network():
    assert step(UNCOMMITTED, link("instance-vnic", "vm", "tap", network="n1"), ends=["vm"]) == "n1"
    assert step("n1", link("vnic-vedge", "qr1", "br-int", network="n2")) is None
    assert step("n1", link("vnic-vedge", "tap", "br-int", network="n1")) == "n1"


def test_an_instance_is_an_end_and_only_a_router_joins_networks():
    assert step("n1", link("instance-vnic", "vm2", "tap2", network="n1"), forward=False) is None
    assert step("n1", link("instance-vnic", "vm2", "tap2", network="n1"), forward=False, ends=["vm2"]) == "n1"
    router = {"type": "vservice", "service_type": "router"}
    dhcp = {"type": "vservice", "service_type": "dhcp"}
    into = link("vservice-vnic", "r", "qr1", network="n1")
    assert step("n1", into, forward=False, there=router) == UNCOMMITTED
    assert step("n1", into, forward=False, there=dhcp) is None
    assert step(UNCOMMITTED, link("vservice-vnic", "r", "qr2", network="n2")) == "n2"


def test_overlays_go_down_to_the_underlay_and_vlans_only_to_their_physical_network():
    assert step("n1", link("vedge-otep", "br-int", "otep")) == "n1"
    assert step("v1", link("vedge-otep", "br-int", "otep")) is None
    assert step("n1", link("otep-host_pnic", "otep", "eth1")) == UNDERLAY
    assert step(UNDERLAY, link("vedge-otep", "br-int", "otep"), forward=False) is None
    assert step("v1", link("vedge-provider_bridge", "br-int", "br-phys", physical_network="physnet1")) == "v1"
    assert step("v1", link("vedge-provider_bridge", "br-int", "br-ex", physical_network="external")) is None


def test_a_network_object_is_crossed_only_on_a_wire():
    on_wire = link("host_pnic-network", "eth1", "v1", network="v1")
    assert step("v1", on_wire) == "v1"
    assert step("n1", link("host_pnic-network", "eth1", "n1", network="n1")) is None   # overlays take tunnels
    assert step("v1", link("provider_bridge-network", "br-phys", "v1", network="v1")) is None   # no NIC: an end
    assert step("n1", link("host_pnic-network", "eth1", "n1", network="n1"), ends=["n1"]) == "n1"


def test_tunnels_and_segments():
    ovs = {"id": "c1-otep", "overlay_type": "vxlan", "ip_address": "10.0.0.1",
           "ports": [{"name": "vxlan-0a000002", "type": "vxlan",
                      "options": {"local_ip": "10.0.0.1", "remote_ip": "10.0.0.2"}},
                     {"name": "patch-int", "type": "patch", "options": {"peer": "patch-tun"}}]}
    assert [(t.port, t.remote_ip) for t in tunnels(ovs)] == [("vxlan-0a000002", "10.0.0.2")]
    lxb = {"id": "c1-otep-vxlan-521", "overlay_type": "vxlan", "tunnel_interface": "vxlan-521"}
    assert carries(ovs, NETS["n1"]) and carries(ovs, NETS["n2"]) and not carries(ovs, NETS["v1"])
    assert carries(lxb, NETS["n1"]) and not carries(lxb, NETS["n2"])
    assert segment(NETS["n1"]) == "vxlan 521" and segment(NETS["v1"]) == "vlan 101 on physnet1"
