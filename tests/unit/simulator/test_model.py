"""The model: deterministic from its seed, consistent across the views facades derive from it."""

import json

import pytest

from simulator.model import BadRequest, Conflict, NotFound, Params, build_model
from simulator.model.plumbing import plumbing


def dump(model) -> str:
    return json.dumps(model.to_json(), sort_keys=True)


@pytest.mark.parametrize("driver,types", [("ovs", "vxlan"), ("ovs", "vlan"), ("linuxbridge", "vxlan"),
                                          ("linuxbridge", "flat"), ("vpp", "vlan"), ("ovs", "gre")])
def test_same_seed_same_cloud_other_seed_other_ids(driver, types):
    p = dict(mechanism_driver=driver, type_driver=types, computes=3, instances=5, networks=3, routers=1)
    a, b = build_model(Params(seed=11, **p)), build_model(Params(seed=11, **p))
    assert dump(a) == dump(b)
    c = build_model(Params(seed=12, **p))
    assert set(a.ports) .isdisjoint(c.ports)


def test_device_names_derive_from_port_ids_and_agree_across_views():
    m = build_model(Params(computes=2, instances=3, networks=2, routers=1, seed=5))
    for inst in m.instances.values():
        view = plumbing(m, inst.host)
        dom = next(d for d in view.domains if d.uuid == inst.id)
        assert dom.name == inst.domain_name and dom.state == "running"
        for pid in inst.port_ids:
            port = m.ports[pid]
            assert port.host == inst.host and port.device_id == inst.id
            iface = next(i for i in dom.interfaces if i.port_id == pid)
            assert iface.mac == port.mac_address
            assert iface.target_dev == "tap" + pid[:11] and iface.source_bridge == "qbr" + pid[:11]
            qvo = next(p for b in view.ovs_bridges if b.name == "br-int" for p in b.ports if p.port_id == pid)
            assert qvo.name == "qvo" + pid[:11] and qvo.tag == m.hosts[inst.host].local_vlans[port.network_id]
            assert any(d.name == qvo.name for d in view.datapath)
            br = next(b for b in view.linux_bridges if b.name == "qbr" + pid[:11])
            assert set(br.members) == {"qvb" + pid[:11], "tap" + pid[:11]}


def test_network_node_has_namespaces_with_gateway_and_dhcp_addresses():
    m = build_model(Params(computes=1, instances=1, networks=2, routers=1, seed=5))
    net = next(n for n in m.networks.values() if not n.external)
    view = plumbing(m, net.dhcp_host)
    names = {ns.name: ns for ns in view.namespaces}
    dhcp = names[f"qdhcp-{net.id}"]
    assert dhcp.interfaces[0].ip == "10.0.0.2" and dhcp.interfaces[0].name.startswith("ns-")
    router = next(iter(m.routers.values()))
    qr = names[f"qrouter-{router.id}"]
    assert {i.name[:3] for i in qr.interfaces} == {"qr-", "qg-"}
    gw = m.ports[router.gw_port_id]
    assert any(i.name == "qg-" + gw.id[:11] and i.mac == gw.mac_address for i in qr.interfaces)
    # the DHCP port is the first port of its network (vim-contract Q14)
    assert m.ports_of_network(net.id)[0].device_owner == "network:dhcp"


def test_tunnels_connect_hosts_sharing_a_network():
    m = build_model(Params(computes=2, instances=2, networks=1, routers=0, seed=5))
    a, b = (plumbing(m, h) for h in ("cmp-1", "cmp-2"))
    assert [t.remote_ip for t in a.tunnels] == sorted([m.hosts["ctl-1"].tunnel_ip, m.hosts["cmp-2"].tunnel_ip])
    assert all(t.local_ip == m.hosts["cmp-1"].tunnel_ip for t in a.tunnels)
    assert any(t.remote_host == "cmp-1" for t in b.tunnels)


def test_server_lifecycle_changes_every_view_and_emits_events():
    m = build_model(Params(computes=2, instances=0, networks=1, routers=0, seed=5))
    events = []
    m.subscribe(events.append)
    net = next(iter(m.networks))
    inst = m.create_server("web", networks=[net])
    port = m.ports[inst.port_ids[0]]
    assert port.host == inst.host and port.status == "ACTIVE"
    assert [e.event_type for e in events][-2:] == ["port.create.end", "compute.instance.create.end"]
    m.stop_server(inst.id)
    assert next(d for d in plumbing(m, inst.host).domains).state == "shut off"
    with pytest.raises(Conflict):
        m.suspend_server(inst.id)
    m.start_server(inst.id)
    m.suspend_server(inst.id)
    m.resume_server(inst.id)
    m.delete_server(inst.id)
    assert inst.id not in m.instances and port.id not in m.ports
    assert not plumbing(m, inst.host).domains
    assert events[-1].event_type == "compute.instance.delete.end"
    with pytest.raises(NotFound):
        m.delete_server(inst.id)


def test_network_mutations_and_router_interfaces():
    m = build_model(Params(computes=1, instances=0, networks=0, routers=1, seed=5))
    net = m.create_network("blue")
    sub = m.create_subnet(net.id, "10.50.0.0/24", name="blue-sub")
    router = next(iter(m.routers.values()))
    info = m.add_router_interface(router.id, subnet_id=sub.id)
    qr = m.ports[info["port_id"]]
    assert qr.fixed_ips[0]["ip_address"] == "10.50.0.1" and qr.host == router.host
    with pytest.raises(BadRequest):
        m.create_subnet(net.id, "10.50.0.128/25")
    with pytest.raises(Conflict):
        m.delete_network(net.id)
    m.remove_router_interface(router.id, subnet_id=sub.id)
    m.delete_network(net.id)
    assert net.id not in m.networks and sub.id not in m.subnets


@pytest.mark.parametrize("params,message", [
    (dict(computes=0, instances=1), "0 compute hosts"),
    (dict(mechanism_driver="ovn"), "unknown mechanism driver"),
    (dict(type_driver="geneva"), "unknown type driver"),
    (dict(regions=2, controllers=1), "controllers"),
])
def test_impossible_parameters_are_refused_with_one_line(params, message):
    with pytest.raises(BadRequest, match=message):
        build_model(Params(**params))
