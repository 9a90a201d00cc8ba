"""The acceptance run's own parts that need no cloud: the table, a topology that collides with nothing, the
two-host datapath (tunnels, veths between hosts), the rescan rows, the bed's settings and the refusal to run."""

from __future__ import annotations

import json

import pytest

from tests.acceptance import run, scanning, testbed, topology
from tests.acceptance.datapath import HostFacts, build
from tests.acceptance.table import Row, format_table


def test_the_table_says_which_goals_were_missed():
    text = format_table([Row("links", "vnic-vconnector: not real / missing (of 4)", "0 / 0", True),
                         Row("paths", "hops not real", 2, False)])
    lines = text.splitlines()
    assert lines[0].split() == ["area", "measure", "value", "goal"]
    assert lines[2].endswith("met") and lines[3].endswith("MISSED") and "2" in lines[3]
    assert lines[-1] == "1 of 2 goals met; 1 MISSED"


def test_subnets_and_segments_avoid_what_the_cloud_has():
    taken = ["10.0.0.0/24", "10.0.1.0/25", "10.0.2.0/16"]    # the last one is 10.0.0.0/16 written loosely
    cidrs = topology.free_cidrs(taken, 3)
    assert cidrs == ["10.1.0.0/24", "10.1.1.0/24", "10.1.2.0/24"]
    assert topology.free_cidrs([], 1, "172.16.0.0/12") == ["172.16.0.0/24"]
    with pytest.raises(RuntimeError, match="no 2 free /24"):
        topology.free_cidrs(["192.168.0.0/23"], 2, "192.168.0.0/23")
    assert topology.free_segment([100, 101, None, 103]) == 102
    with pytest.raises(RuntimeError):
        topology.free_segment(range(100, 201))


def test_the_plan_puts_servers_on_every_host_and_vlan_only_with_open_vswitch():
    one = topology.plan("acc-x-", "linuxbridge", ["compute1"])
    assert {s["host"] for s in one} == {"compute1"} and not any("vlan" in s["nets"] for s in one)
    assert [s["name"] for s in one if s.get("stop")] == ["acc-x-stopped"]
    two = topology.plan("acc-x-", "ovs", ["compute1", "compute2"])
    on2 = {s["name"] for s in two if s["host"] == "compute2"}
    assert on2 == {"acc-x-a2", "acc-x-b2", "acc-x-v2"} and all(s["name"].startswith("acc-x-") for s in two)
    assert topology.run_prefix() != topology.run_prefix()


def _link(index: int, name: str, **kw) -> dict:
    return {"ifindex": index, "ifname": name, **kw}


def test_two_hosts_are_joined_by_their_tunnels_and_by_a_veth_between_their_namespaces():
    c1 = HostFacts("compute1", local_ip="192.168.222.1", links_json=json.dumps([
        _link(5, "c1-vlan", link_index=7, link_netnsid=0, linkinfo={"info_kind": "veth"}),
        _link(6, "br-phys"), _link(8, "vxlan-42", master="brq1"), _link(9, "brq1", linkinfo={"info_kind": "bridge"})]),
        ovs_ports={"br-tun": ["vxlan-c0a8de02", "patch-int"], "br-phys": ["c1-vlan"]},
        ovs_interfaces='name                : vxlan-c0a8de02\noptions             : {df_default="true", '
                       'local_ip="192.168.222.1", remote_ip="192.168.222.2"}\ntype                : vxlan\n',
        fdb="00:00:00:00:00:00 dev vxlan-42 dst 192.168.222.2 self permanent\n")
    c2 = HostFacts("compute2", local_ip="192.168.222.2", links_json=json.dumps([
        _link(7, "c2-vlan", link_index=5, link_netnsid=0, linkinfo={"info_kind": "veth"}),
        _link(8, "vxlan-42", master="brq1")]), ovs_ports={"br-tun": ["patch-int"], "br-phys": ["c2-vlan"]})
    dp = build([c1, c2])
    assert "compute2:dev:br-tun" in dp.neighbours("compute1:dev:br-tun")
    assert "compute2:dev:c2-vlan" in dp.neighbours("compute1:dev:c1-vlan")
    assert "compute2:dev:vxlan-42" in dp.neighbours("compute1:dev:vxlan-42")
    assert "compute1:dev:brq1" in dp.neighbours("compute1:dev:vxlan-42")


def test_an_unchanged_rescan_is_judged_by_what_it_wrote():
    quiet = scanning.rescan_rows({"store_writes": {"inventory": 0, "links": 0, "cliques": 0},
                                  "changes": {"objects": {"added": 0}, "links": {"removed": 0}}})
    assert [(r.value, r.ok) for r in quiet] == [(0, True), (0, True)]
    noisy = scanning.rescan_rows({"store_writes": {"inventory": 12, "links": 0, "cliques": 1},
                                  "changes": {"objects": {"changed": 12}}})
    assert noisy[0].value == 13 and "cliques 1, inventory 12" in noisy[0].measure and not noisy[1].ok


def test_the_bed_reaches_each_host_and_names_its_tunnel_endpoint(monkeypatch):
    monkeypatch.setenv("ACCEPTANCE_NODES", "2")
    monkeypatch.setenv("ACCEPTANCE_DRIVER", "linuxbridge")
    bed = testbed.from_environment()
    assert bed.hosts == ["compute1", "compute2"] and bed.local_ip("compute1") == "192.168.222.1"
    cfg = testbed.environment_config("testbed-x", bed)
    cli = next(s for s in cfg["configuration"] if s["name"] == "CLI")
    assert cli["hosts"] == {"compute1": {"host": "127.0.0.1"}, "compute2": {"host": "192.168.222.2"}}
    assert cfg["mechanism_drivers"] == ["LXB"] and bed.env()["DRIVER"] == "linuxbridge"
    assert testbed.Bed(1, "linuxbridge").local_ip("compute1") == "192.168.223.1"
    assert testbed.SCRIPT.is_file() and testbed.COMPUTE2.is_file()
    monkeypatch.setenv("ACCEPTANCE_NODES", "3")
    with pytest.raises(SystemExit, match="ACCEPTANCE_NODES must be 1 or 2"):
        testbed.from_environment()


def test_it_refuses_to_change_the_machine_unless_asked(monkeypatch, capsys):
    monkeypatch.delenv("CALIPSO_ACCEPTANCE", raising=False)
    assert run.main() == 2
    assert "CHANGES THIS MACHINE" in capsys.readouterr().err
