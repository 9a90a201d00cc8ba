"""Parsers on the real Zed outputs and on the older formats the spec shows."""

from __future__ import annotations

import pytest

from scan.parsers import ParseError
from scan.parsers.bridges import brctl_show, ip_json_bridges
from scan.parsers.host import bond_names, bonding, ethtool, os_release, physical_interfaces
from scan.parsers.ip import cidr, detailed_section, fdb_dst, interface_with_ip, link_state, netmask, parse_addresses
from scan.parsers.netns import namespaces
from scan.parsers.ovs import dpctl_show, list_ifaces, vsctl_show
from scan.parsers.virsh import dumpxml, interfaces, virsh_list
from scan.parsers.vpp import hardware_interfaces, show_int, show_mode, show_version
from tests.fixtures import ZED as ZED_ROOT

ZED = ZED_ROOT / "cli"


def zed(name: str) -> str:
    return (ZED / name).read_text()


def test_namespace_interfaces_drop_peer_suffix_and_keep_addresses():
    ifs = parse_addresses(zed("ip_netns_exec_qrouter-f6cc210c-c99a-41e1-bd97-b4b16809f5f2_ip_address_show.txt"))
    by_name = {i["name"]: i for i in ifs}
    assert set(by_name) == {"lo", "qr-95993148-71", "qg-a52576d4-97", "qr-e7b27980-30"}
    qg = by_name["qg-a52576d4-97"]
    assert qg["mac_address"] == "fa:16:3e:65:bf:ac"
    assert qg["ipv4"] == [("172.24.4.86", 24)]
    assert cidr(*qg["ipv4"][0]) == "172.24.4.0/24" and netmask(24) == "255.255.255.0"


def test_pnic_address_and_global_ipv6_only():
    i = parse_addresses(zed("ip_address_show_eth0.txt"))[0]
    assert (i["name"], i["mac_address"], i["state"]) == ("eth0", "02:fc:00:00:00:01", "UP")
    assert i["ipv6_global"] == ["fd00::2"]


def test_tunnel_interface_found_by_ip():
    assert interface_with_ip(zed("ip_address_show.txt"), "192.0.2.2") == "eth0"
    assert interface_with_ip(zed("ip_address_show.txt"), "10.9.9.9") is None


def test_physical_interfaces_skip_virtual_devices():
    assert physical_interfaces(zed("ls_-l_sys_class_net_pipe_grep_l_cvim.txt")) == ["eth0"]
    with pytest.raises(ParseError):
        physical_interfaces("garbage output\n")


def test_ethtool_real_output_and_continuation_lines():
    attrs = ethtool(zed("ethtool_eth0.txt"))
    assert attrs["Link detected"] == "yes" and attrs["Speed"] == "Unknown!"
    spec = ("Settings for eth1:\n\tSupported link modes:   10baseT/Half 10baseT/Full\n"
            "\t                        100baseT/Half 100baseT/Full\n\tLink detected: no\n")
    attrs = ethtool(spec)
    assert attrs["Supported link modes"] == ["10baseT/Half 10baseT/Full", "100baseT/Half 100baseT/Full"]
    assert attrs["Link detected"] == "no"
    with pytest.raises(ParseError):
        ethtool("ethtool: command not found")


def test_ovs_vsctl_show_zed_unquoted_and_spec_quoted():
    bridges = vsctl_show(zed("ovs-vsctl_show.txt"))
    assert set(bridges) == {"br-int", "br-tun", "br-ex", "br-phys"}
    assert bridges["br-int"]["qvo4c8a389f-a2"]["tag"] == "1"
    spec = ('0f3a\n    Bridge br-tun\n        Port "vxlan-c0a80201"\n            Interface "vxlan-c0a80201"\n'
            '                type: vxlan\n                options: {df_default="true", in_key=flow, '
            'local_ip="192.168.2.11", out_key=flow, remote_ip="192.168.2.1"}\n    ovs_version: "2.9.2"\n')
    port = vsctl_show(spec)["br-tun"]["vxlan-c0a80201"]
    assert port["type"] == "vxlan"
    assert port["options"]["remote_ip"] == "192.168.2.1" and port["options"]["local_ip"] == "192.168.2.11"


def test_dpctl_show_both_datapaths_skip_tunnel_vports():
    ports = dpctl_show(zed("ovs-appctl_dpctl_show.txt"))
    assert {"id": "8", "name": "qvo4c8a389f-a2", "internal": False} in ports
    assert {"id": "1", "name": "br-int", "internal": True} in ports
    spec = ("system@ovs-system:\n\tlookups: hit:1 missed:5 lost:0\n\tport 0: ovs-system (internal)\n"
            "\tport 3: qvo3f2a1b4c-5d\n\tport 4: vxlan_sys_4789 (vxlan: packet_type=ptap)\n")
    assert [p["name"] for p in dpctl_show(spec)] == ["ovs-system", "qvo3f2a1b4c-5d"]
    with pytest.raises(ParseError):
        dpctl_show("")


def test_brctl_show_continuation_lines_and_empty_bridge():
    br = brctl_show(zed("brctl_show.txt"))
    assert br[0] == {"bridge_name": "qbr28fb3371-d1", "bridge_id": "8000.9a0f8da4ec0a", "stp_enabled": "no",
                     "interfaces": ["qvb28fb3371-d1", "tap28fb3371-d1"]}
    empty = brctl_show("bridge name\tbridge id\t\tSTP enabled\tinterfaces\nbr0\t\t8000.0\tno\n")
    assert empty[0]["interfaces"] == []
    with pytest.raises(ParseError):
        brctl_show("brctl: command not found")


def test_ip_json_bridges_fallback_agrees_with_brctl():
    names = {b["bridge_name"]: sorted(b["interfaces"]) for b in ip_json_bridges(zed("ip_-d_-j_link_show.txt"))}
    for b in brctl_show(zed("brctl_show.txt")):
        assert names[b["bridge_name"]] == sorted(b["interfaces"])


def test_virsh_list_and_dumpxml():
    assert [d["name"] for d in virsh_list(zed("virsh_list_--all.txt"))] == ["instance-00000001", "instance-00000002"]
    dom = dumpxml(zed("virsh_dumpxml_instance-00000002.txt"))
    assert dom["uuid"] == "b1484376-582d-489b-a1e1-084401a863fe"
    ifs = interfaces(dom)
    assert [i["target"]["@dev"] for i in ifs] == ["tap28fb3371-d1", "tapa9954aee-fd"]
    assert ifs[0]["source"]["@bridge"] == "qbr28fb3371-d1"
    with pytest.raises(ParseError):
        dumpxml("<domain><unclosed></domain>")


def test_os_release_both_spellings():
    assert os_release(zed("cat_etc_os-release_and_echo_ARCHITECURE_v2017.txt"))["architecture"] == "x86_64"
    assert os_release(zed("cat_etc_os-release_and_echo_ARCHITECTURE_cvim.txt"))["ID"] == "debian"


def test_namespaces_and_bonds():
    assert namespaces(zed("ip_netns_list.txt"))[2] == "qrouter-f6cc210c-c99a-41e1-bd97-b4b16809f5f2"
    assert bond_names(zed("ls_-1_proc_net_bonding_2to1.txt")) == []
    text = ("Ethernet Channel Bonding Driver: v3.7.1 (April 27, 2011)\n\nBonding Mode: IEEE 802.3ad\n"
            "MII Status: up\n\n802.3ad info\nLACP rate: slow\n\nSlave Interface: eth3\nMII Status: up\n"
            "Permanent HW addr: 52:54:00:00:01:03\n")
    b = bonding(text)
    assert b["Bonding Mode"] == "IEEE 802.3ad" and b["802.3ad info"]["LACP rate"] == "slow"
    assert b["members"]["eth3"]["Permanent HW addr"] == "52:54:00:00:01:03"
    link = ("6: bond0: <BROADCAST,MULTICAST,MASTER,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP mode DEFAULT\n"
            "    link/ether 52:54:00:00:01:03 brd ff:ff:ff:ff:ff:ff\n")
    assert link_state(link) == ("yes", "52:54:00:00:01:03")


def test_lxb_otep_sections():
    text = ("1: lo: <LOOPBACK,UP,LOWER_UP> mtu 65536 state UNKNOWN\n    link/loopback 00:00:00:00:00:00\n"
            "11: vxlan-101: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1450 qdisc noqueue master brq5e1f state UNKNOWN\n"
            "    link/ether 3e:11:22:33:44:55 brd ff:ff:ff:ff:ff:ff promiscuity 1\n"
            "    vxlan id 101 dev eth1 srcport 0 0 dstport 8472\n")
    sec = detailed_section(text, "vxlan-101")
    assert sec["mac_address"] == "3e:11:22:33:44:55" and sec["mtu"] == "1450" and sec["state"] == "UP"
    assert fdb_dst("00:00:00:00:00:00 dev vxlan-101 dst 192.168.2.11 self permanent\n", "vxlan-101") == \
        "192.168.2.11 self permanent"


def test_vpp_outputs():
    assert show_version("vpp v19.08.1-release built by root\n") == "vpp v19.08.1-release"
    ports = show_int("              Name               Idx    State  MTU\nTenGigabitEthernet5/0/0           1      up"
                     "          9000/0/0/0     rx packets   1\n                 rx bytes 2\nlocal0  0  down  0/0/0/0\n")
    assert ports == [{"name": "TenGigabitEthernet5/0/0", "id": "1", "state": "up"},
                     {"name": "local0", "id": "0", "state": "down"}]
    assert show_mode("l3 local0\nl2 bridge VirtualEthernet0/0/0 bd_id 101 shg 1\n") == \
        [{"interface": "VirtualEthernet0/0/0", "bd_id": "101"}]
    hw = hardware_interfaces("  Name  Idx  Link  Hardware\nVirtualEthernet0/0/0   3   up   VirtualEthernet0/0/0\n"
                             "  Ethernet address FA:16:3E:11:22:33\n")
    assert hw["VirtualEthernet0/0/0"]["mac_address"] == "fa:16:3e:11:22:33"
    assert list_ifaces("eth2\nphy-br-ex\n") == ["eth2", "phy-br-ex"]


def test_sriov_vf_lines():
    from scan.parsers.ip import sriov_vfs
    text = ("4: enp5s0f1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 9000 qdisc mq state UP mode DEFAULT\n"
            "    link/ether 52:54:00:00:03:01 brd ff:ff:ff:ff:ff:ff promiscuity 0\n"
            "    vf 0 MAC fa:16:3e:44:55:66, vlan 205, spoof checking on, link-state auto, trust off\n"
            "    vf 1 MAC 00:00:00:00:00:00, spoof checking on, link-state auto, trust off\n")
    vfs = sriov_vfs(text)
    assert vfs[0] == {"vf": "0", "mac_address": "fa:16:3e:44:55:66", "vlan": "205", "spoof_checking": "on",
                      "link_state": "auto", "trust": "off"}
    assert vfs[1]["mac_address"] == "00:00:00:00:00:00" and "vlan" not in vfs[1]
