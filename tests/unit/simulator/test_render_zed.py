"""Renderers against the outputs recorded on a real Zed host: same facts in, same bytes out."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pytest

from simulator.render import bridge, ethtool, ip, ovs, sysfs, system, virsh
from tests.unit.simulator.zed_host import recorded, zed_host


@pytest.fixture(scope="module")
def host():
    return zed_host()


def grep(text: str, keep, drop=None) -> str:
    return "".join(l + "\n" for l in text.splitlines() if keep(l) and not (drop and drop(l)))


def test_ip_address_show_is_byte_identical(host):
    assert ip.address_show(host.links, style="current") == recorded("ip_address_show.txt")


def test_ip_address_show_one_interface(host):
    assert ip.address_show(host.links, "eth0", style="current") == recorded("ip_address_show_eth0.txt")


def test_ip_link_show_is_byte_identical(host):
    assert ip.link_show(host.links) == recorded("ip_link_show.txt")


@pytest.mark.parametrize("ns", ["qdhcp-4d4e5e39-c473-4970-853b-5d8651ceceb5",
                                "qdhcp-6707a661-73b6-41c8-80b9-9e60a9d8db44",
                                "qrouter-f6cc210c-c99a-41e1-bd97-b4b16809f5f2"])
def test_namespace_address_show(host, ns):
    text = ip.address_show(host.namespace(ns).links, style="current")
    assert text == recorded(f"ip_netns_exec_{ns}_ip_address_show.txt")


def test_netns_list(host):
    assert ip.netns_list(host.namespaces) == recorded("ip_netns_list.txt")


def test_ip_detail_link_show_keeps_headers_and_link_lines(host):
    ours, real = ip.link_show(host.links, detail=True).splitlines(), recorded("ip_-d_link_show.txt").splitlines()
    heads = lambda lines: [l for l in lines if not l.startswith(" ")]  # noqa: E731
    assert heads(ours) == heads(real)
    first_words = lambda lines: [l.split(" promiscuity")[0] for l in lines if l.startswith("    link/")]  # noqa: E731
    assert first_words(ours) == first_words(real)


def test_ip_json_link_show_matches_the_fields_calipso_reads(host):
    ours = json.loads(ip.link_show_json(host.links))
    real = json.loads(recorded("ip_-d_-j_link_show.txt"))
    pick = lambda items: [(i["ifname"], i.get("master"), i.get("linkinfo", {}).get("info_kind") == "bridge",  # noqa: E731
                           i["address"], i["mtu"], i["operstate"]) for i in items]
    assert pick(ours) == pick(real)


def test_ovs_vsctl_show_is_byte_identical(host):
    assert ovs.vsctl_show(host.ovs) == recorded("ovs-vsctl_show.txt")


def test_ovs_list_br_ports_ifaces(host):
    assert ovs.list_br(host.ovs) == recorded("ovs-vsctl_list-br.txt")
    for br in host.ovs.bridges:
        assert ovs.list_ports(br) == recorded(f"ovs-vsctl_list-ports_{br.name}.txt")
        assert ovs.list_ifaces(br) == recorded(f"ovs-vsctl_list-ifaces_{br.name}.txt")


def test_appctl_dpctl_show_ports(host):
    keep = lambda l: "port " in l  # noqa: E731
    assert grep(ovs.appctl_dpctl_show(host.ovs), keep) == grep(recorded("ovs-appctl_dpctl_show.txt"), keep)
    assert ovs.appctl_dpctl_show(host.ovs).splitlines()[0] == "netdev@ovs-netdev:"


def test_dpctl_failure_message_matches_the_userspace_datapath_error():
    real = recorded("ovs-dpctl_show.stderr.txt")
    strip_ts = lambda t: [l.split("|", 1)[1] for l in t.splitlines()]  # noqa: E731
    assert strip_ts(ovs.dpctl_failure()) == strip_ts(real)


def test_brctl_show_is_byte_identical(host):
    assert bridge.brctl_show(host.bridges) == recorded("brctl_show.txt")


def test_brctl_showmacs(host):
    br = next(b for b in host.bridges if b.name == "qbr28fb3371-d1")
    assert bridge.brctl_showmacs(br, host.links) == recorded("brctl_showmacs_qbr28fb3371-d1.txt")


def test_virsh_list_current_style(host):
    assert virsh.virsh_list(host.domains, style="current") == recorded("virsh_list.txt")
    assert virsh.virsh_list(host.domains, show_all=True, style="current") == recorded("virsh_list_--all.txt")


def test_virsh_domstate(host):
    assert virsh.domstate(host.domain("instance-00000001")) == recorded("virsh_domstate_instance-00000001.txt")


@pytest.mark.parametrize("key,file", [("1", "virsh_dumpxml_1.txt"), ("instance-00000002", "virsh_dumpxml_instance-00000002.txt")])
def test_virsh_dumpxml_carries_what_calipso_parses(host, key, file):
    ours, real = ET.fromstring(virsh.dumpxml(host.domain(key))), ET.fromstring(recorded(file))
    assert ours.attrib == real.attrib
    for path in ("name", "uuid", "vcpu"):
        assert ours.findtext(path) == real.findtext(path)
    nics = lambda root: [(i.get("type"), i.find("mac").get("address"), i.find("source").get("bridge"),  # noqa: E731
                          i.find("target").get("dev"), i.find("mtu").get("size"), i.find("alias").get("name"))
                         for i in root.iter("interface")]
    assert nics(ours) == nics(real)
    ns = {"nova": "http://openstack.org/xmlns/libvirt/nova/1.1"}
    ports = lambda root: [p.get("uuid") for p in root.iterfind(".//nova:port", ns)]  # noqa: E731
    assert ports(ours) == ports(real)
    assert virsh.dumpxml(host.domain(key)).endswith("</domain>\n\n")


@pytest.mark.parametrize("name", ["eth0", "tap4c8a389f-a2"])
def test_ethtool_is_byte_identical(host, name):
    assert ethtool.ethtool(host.link(name)) == recorded(f"ethtool_{name}.txt")


def test_ls_sys_class_net_through_greps(host):
    text = sysfs.ls_l_class_net(host.links)
    cvim = grep(text, lambda l: l.startswith("l"))
    v2017 = grep(text, lambda l: l.startswith("l"), lambda l: "/virtual/" in l)
    strip_date = lambda t: [l.split(None, 8)[8] for l in t.splitlines()]  # noqa: E731
    assert strip_date(cvim) == strip_date(recorded("ls_-l_sys_class_net_pipe_grep_l_cvim.txt"))
    assert strip_date(v2017) == strip_date(recorded("ls_-l_sys_class_net_pipe_grep_l_pipe_grep_-v_virtual_v2017.txt"))
    assert sysfs.ls_class_net(host.links) == recorded("ls_sys_class_net.txt")


def test_bonding_absent_is_the_recorded_error(host):
    out, err, status = sysfs.ls_bonding(host.bonds)
    assert (out, status) == ("", 2) and err == recorded("ls_-1_proc_net_bonding_2to1.txt")


def test_os_release_and_names(host):
    assert system.os_release(host) + "ARCHITECTURE=x86_64\n" == recorded("cat_etc_os-release_and_echo_ARCHITECTURE_cvim.txt")
    assert system.uname(host, "n") == recorded("uname_-n.txt")
    assert system.hostname(host) == recorded("hostname.txt")
