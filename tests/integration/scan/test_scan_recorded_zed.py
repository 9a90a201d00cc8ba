"""A full scan of the recorded Zed cloud (real outputs replayed behind the scanner's clients),
on the embedded store over the wire: inventory, links, cliques, report, faults, convergence."""

from __future__ import annotations

import pytest

from app.envconfig.repository import EnvironmentConfigs, UnknownEnvironment
from app.inventory import Inventory
from scan.controller import ScanController, ScanOptions
from tests.scan_support.zed import ENV, ZedPool, ZedSession, zed_clients

HOST = "compute1"
VM1 = "544716d7-d703-4f86-a60c-801a01f64b4d"
VM2 = "b1484376-582d-489b-a1e1-084401a863fe"
NET1 = "6707a661-73b6-41c8-80b9-9e60a9d8db44"


@pytest.fixture
def zed_store(initialized_store):
    EnvironmentConfigs(initialized_store).add(dict(ENV))
    return initialized_store


def scan(store, **kw):
    factory = zed_clients(kw.pop("session", None), kw.pop("pool", None), kw.pop("db", None))
    return ScanController(store, ScanOptions(env="zed", serial=kw.pop("serial", True), **kw),
                          clients_factory=factory).run()


def docs(store, **q):
    return list(store["inventory"].find({"environment": "zed", **q}))


def test_full_scan_places_every_object_under_the_right_parent(zed_store):
    res = scan(zed_store)
    assert res.status == "completed", res.reason
    inv = Inventory(zed_store)
    host = inv.get("zed", HOST, "host")
    assert host["id_path"] == "/zed/zed-regions/RegionOne/RegionOne-availability_zones/nova/compute1"
    assert host["name_path"] == "/zed/Regions/RegionOne/Availability Zones/nova/compute1"
    assert set(host["host_type"]) == {"Controller", "Compute", "Network"}
    assert host["hypervisor_hostname"] == "vm" and host["OS"]["ID"] == "debian"
    vm2 = inv.get("zed", VM2, "instance")
    assert vm2["name"] == "vm2" and vm2["name_path"].endswith("/compute1/Instances/vm2")
    assert vm2["network"] == sorted([NET1, "4d4e5e39-c473-4970-853b-5d8651ceceb5"])
    vnics = {d["id"] for d in docs(zed_store, type="vnic")}
    assert {f"{HOST}-tap4c8a389f-a2", f"{HOST}-tap28fb3371-d1", f"{HOST}-tapa9954aee-fd",
            f"{HOST}-ns-de0e3cac-6f", f"{HOST}-qr-95993148-71", f"{HOST}-qg-a52576d4-97"} <= vnics
    net1 = inv.get("zed", NET1, "network")
    assert net1["name_path"] == "/zed/Projects/admin/Networks/net1" and net1["cidrs"] == ["10.0.0.0/24"]
    port = inv.get("zed", "4c8a389f-a2f7-439c-a6d6-70ec3f463459", "port")
    assert port["parent_id"] == f"{NET1}-ports" and port["name"] == "fa:16:3e:a8:49:e0"
    router = inv.get("zed", f"{HOST}-qrouter-f6cc210c-c99a-41e1-bd97-b4b16809f5f2", "vservice")
    assert router["name"] == "router-router1" and router["parent_id"] == f"{HOST}-vservices-routers"
    assert set(router["network"]) >= {NET1, "a36e83dd-fe22-4ab2-a2f8-1f79ec7628cd"}
    assert inv.get("zed", "1", "aggregate")["name"] == "agg1"
    for d in docs(zed_store):       # every parent exists: no orphan, no phantom folder
        if d["parent_type"] not in ("environment",):
            assert inv.get("zed", d["parent_id"], d["parent_type"]) is not None, d["id_path"]
        assert d["id_path"].endswith("/" + d["id"])


def test_links_and_cliques_of_the_recorded_cloud(zed_store):
    res = scan(zed_store)
    links = {(l["link_type"], l["source_id"], l["target_id"]) for l in zed_store["links"].find({"environment": "zed"})}
    assert ("instance-vnic", VM1, f"{HOST}-tap4c8a389f-a2") in links
    assert ("vnic-vconnector", f"{HOST}-tap4c8a389f-a2", f"{HOST}-qbr4c8a389f-a2-8000.8ef958be34f2") in links
    assert ("vconnector-vedge", f"{HOST}-qbr4c8a389f-a2-8000.8ef958be34f2",
            "128e494c-f7fe-4b6f-9dd6-9c2e29a677b5") in links
    assert ("vnic-vedge", f"{HOST}-ns-de0e3cac-6f", "128e494c-f7fe-4b6f-9dd6-9c2e29a677b5") in links
    assert ("vservice-vnic", f"{HOST}-qdhcp-{NET1}", f"{HOST}-ns-de0e3cac-6f") in links
    assert ("vedge-otep", "128e494c-f7fe-4b6f-9dd6-9c2e29a677b5", f"{HOST}-otep") in links
    # the overlay runs on lo and br-ex has no physical port: eth0 carries no network (it was linked to
    # every one before); each network ends where its traffic really goes
    assert not [l for l in links if l[0] == "host_pnic-network"]
    assert ("otep-network", f"{HOST}-otep", NET1) in links
    assert ("provider_bridge-network", f"{HOST}-br-ex", "a36e83dd-fe22-4ab2-a2f8-1f79ec7628cd") in links
    assert ("vedge-provider_bridge", "128e494c-f7fe-4b6f-9dd6-9c2e29a677b5", f"{HOST}-br-phys") in links
    otep = Inventory(zed_store).get("zed", f"{HOST}-otep", "otep")
    assert otep["interface"] == "lo" and otep["underlay"] == [] and "vconnector" not in otep
    assert res.report["links"]["instance-vnic"] == 3
    vm1 = Inventory(zed_store).get("zed", VM1, "instance")
    clique = zed_store["cliques"].find_one({"environment": "zed", "focal_point_object_id": VM1})
    assert clique is not None and vm1["clique"]
    types = {l["link_type"] for l in clique["links_detailed"]}
    assert {"instance-vnic", "vnic-vconnector", "vconnector-vedge", "vedge-otep", "otep-network"} <= types
    assert "vedge-provider_bridge" not in types     # a vxlan-only server does not go through br-phys
    net1 = zed_store["cliques"].find_one({"environment": "zed", "focal_point_object_id": NET1})
    reached = {l["source_id"] for l in net1["links_detailed"]} | {l["target_id"] for l in net1["links_detailed"]}
    assert {f"{HOST}-tap4c8a389f-a2", f"{HOST}-tap28fb3371-d1", f"{HOST}-ns-de0e3cac-6f", f"{HOST}-qr-95993148-71",
            VM1, VM2, f"{HOST}-qdhcp-{NET1}"} <= reached
    assert all(l["attributes"].get("network", NET1) == NET1 for l in clique["links_detailed"])
    assert set(res.report["cliques"]) == {"instance", "network", "vservice"}


def test_report_counts_calls_writes_and_phases(zed_store):
    res = scan(zed_store)
    r = res.report
    assert r["objects"]["host"] == 1 and r["objects"]["instance"] == 2 and r["objects"]["vnic"] == 8
    assert r["remote_calls"]["REST"]["calls"] > 0 and r["remote_calls"]["SSH"]["calls"] > 0
    assert set(r["phases"]) == {"access", "inventory", "links", "cliques", "write"}
    assert r["store_writes"]["inventory"] >= sum(r["objects"].values())
    assert r["errors"] == {}


def test_unknown_environment_lists_the_known_ones(zed_store):
    with pytest.raises(UnknownEnvironment, match="known: zed") as e:
        ScanController(zed_store, ScanOptions(env="nope", serial=True), clients_factory=zed_clients()).run()
    assert e.value.exit_code == 2


def test_wrong_credentials_fail_at_once_and_write_nothing(zed_store):
    session = ZedSession(fail={"/v3/auth/tokens": 401})
    res = scan(zed_store, session=session)
    assert res.status == "failed" and "Keystone refused user 'admin'" in res.reason
    assert docs(zed_store) == []
    msgs = [m["message"] for m in zed_store["messages"].find({"environment": "zed"})]
    assert any("failed" in m and "Keystone refused" in m for m in msgs)


def test_a_500_from_nova_is_retried_then_named_and_the_rest_is_scanned(zed_store):
    session = ZedSession(fail={"os-hypervisors/vm/servers": 500})
    res = scan(zed_store, session=session)
    assert res.status == "completed_with_errors"
    errs = res.report["errors"][HOST]
    assert any("os-hypervisors/vm/servers" in e and "HTTP 500" in e for e in errs)
    assert sum("os-hypervisors/vm/servers" in c for c in session.calls) == 3   # bounded retries
    assert docs(zed_store, type="instance") == []
    assert len(docs(zed_store, type="vservice")) == 3 and len(docs(zed_store, type="port")) == 9


def test_host_down_completes_with_the_host_named_and_keeps_its_old_objects(zed_store):
    assert scan(zed_store).status == "completed"
    before = {d["id"] for d in docs(zed_store)}
    res = scan(zed_store, pool=ZedPool(down={HOST}))
    assert res.status == "completed_with_errors"
    assert any("unreachable" in e for e in res.report["errors"][HOST])
    after = docs(zed_store)
    assert {d["id"] for d in after} == before                      # nothing lost
    assert not [d for d in after if d.get("stale_since")]          # and nothing marked stale
    assert res.report["remote_calls"]["SSH"]["calls"] < 20         # the down host fails fast
    msgs = list(zed_store["messages"].find({"environment": "zed", "related_object": HOST}))
    assert msgs and msgs[-1]["level"] == "error" and "unreachable" in msgs[-1]["message"]


def test_garbage_output_is_named_with_host_and_command(zed_store):
    res = scan(zed_store, pool=ZedPool(garbage={"ovs-vsctl show": "Segmentation fault\n"}))
    assert res.status == "completed_with_errors"
    errs = " ".join(res.report["errors"][HOST])
    assert "ovs-vsctl show" in errs and "compute1" in errs
    assert docs(zed_store, type="vedge") == [] and len(docs(zed_store, type="vnic")) == 8


def test_rescan_converges_stale_then_removed(zed_store):
    assert scan(zed_store).status == "completed"
    n = len(docs(zed_store))
    gone = "a9954aee-fdbd-4ec6-b990-e0d1db06c639"   # vm2's second NIC disappears from the cloud
    pool = ZedPool()
    for k, (rc, text) in list(pool.outputs.items()):
        if k.startswith("virsh dumpxml"):
            import re
            text = re.sub(r"<interface type='bridge'>\s*<mac address='fa:16:3e:22:87:78'/>.*?</interface>", "",
                          text, flags=re.S)
            pool.outputs[k] = (rc, text)
    assert scan(zed_store, pool=pool).status == "completed"
    vnic = Inventory(zed_store).get("zed", "compute1-tapa9954aee-fd", "vnic")
    assert vnic is not None and vnic.get("stale_since")            # stale first
    assert len(docs(zed_store)) == n                               # nothing else touched
    assert scan(zed_store, pool=pool).status == "completed"
    assert Inventory(zed_store).get("zed", "compute1-tapa9954aee-fd", "vnic") is None   # then removed
    assert not list(zed_store["links"].find({"target_id": "compute1-tapa9954aee-fd"}))
    assert scan(zed_store).status == "completed"                   # it comes back when the cloud has it
    assert Inventory(zed_store).get("zed", "compute1-tapa9954aee-fd", "vnic").get("stale_since") is None
    assert gone


def test_concurrent_scan_gives_the_same_inventory_as_serial(zed_store):
    assert scan(zed_store, serial=True).status == "completed"
    serial = {(d["type"], d["id"], d["id_path"]) for d in docs(zed_store)}
    res = scan(zed_store, serial=False, clear=True)
    assert res.status == "completed"
    assert {(d["type"], d["id"], d["id_path"]) for d in docs(zed_store)} == serial


def test_partial_rescan_of_one_instance(zed_store):
    assert scan(zed_store).status == "completed"
    res = scan(zed_store, object_id=VM2)
    assert res.status == "completed", res.reason
    assert res.report["objects"].get("instance") == 1 and res.report["objects"].get("vnic") == 2
    assert Inventory(zed_store).get("zed", VM1, "instance") is not None


def test_clear_happens_only_after_the_environment_checked_out(zed_store):
    assert scan(zed_store).status == "completed"
    n = len(docs(zed_store))
    res = scan(zed_store, clear=True, session=ZedSession(fail={"/v3/auth/tokens": 401}))
    assert res.status == "failed"
    assert len(docs(zed_store)) == n


class SharedCidrSession(ZedSession):
    """The recorded cloud plus another project's network on net1's CIDR (10.0.0.0/24), as real clouds
    have (every project may number its network alike) and as runs left over on the Zed test bed."""

    OTHER, OTHER_SUB = "00000000-0000-4000-8000-0000000000aa", "00000000-0000-4000-8000-0000000000ab"

    def _answer(self, method, url):
        res = super()._answer(method, url)
        if method == "GET" and url.endswith("/v2.0/networks"):
            net1 = next(n for n in res.json()["networks"] if n["id"] == NET1)
            res._body = {"networks": [{**net1, "id": self.OTHER, "name": "other-net", "subnets": [self.OTHER_SUB]}]
                         + res.json()["networks"]}        # listed first: the CIDR's first network
        if method == "GET" and url.endswith("/v2.0/subnets"):
            sub1 = next(s for s in res.json()["subnets"] if s["network_id"] == NET1)
            res._body = {"subnets": [{**sub1, "id": self.OTHER_SUB, "network_id": self.OTHER}] + res.json()["subnets"]}
        return res


def test_a_dhcp_or_router_interface_is_on_its_own_network_when_another_shares_the_cidr(zed_store):
    res = scan(zed_store, session=SharedCidrSession())
    assert res.status == "completed", res.reason
    inv = Inventory(zed_store)
    assert inv.get("zed", SharedCidrSession.OTHER, "network")["cidrs"] == ["10.0.0.0/24"]
    for vnic in (f"{HOST}-ns-de0e3cac-6f", f"{HOST}-qr-95993148-71"):   # net1's DHCP port, router1's interface
        assert inv.get("zed", vnic, "vnic")["network"] == NET1, vnic
    router = inv.get("zed", f"{HOST}-qrouter-f6cc210c-c99a-41e1-bd97-b4b16809f5f2", "vservice")
    assert SharedCidrSession.OTHER not in router["network"]
    clique = zed_store["cliques"].find_one({"environment": "zed", "focal_point_object_id": NET1})
    reached = {n["id"] for n in zed_store["inventory"].find({"_id": {"$in": clique["nodes"]}}, {"id": 1})}
    assert {f"{HOST}-ns-de0e3cac-6f", f"{HOST}-qr-95993148-71", f"{HOST}-tap4c8a389f-a2"} <= reached
