"""The older release's formats, as vim-contract §4.5 shows them (OVS 2.9 quoting, libvirt's fixed columns)."""

from __future__ import annotations

from simulator.hostview import DatapathPort, Domain, Link, Ovs, OvsBridge, OvsPort, Vpp, VppInterface
from simulator.render import ip, ovs, virsh, vpp


def test_ovs_29_quotes_names_with_digits_and_prints_its_version():
    sw = Ovs(uuid="0f3a9e66-1c2b-4d5e-8f70-9a8b7c6d5e4f", version="2.9.2", bridges=[
        OvsBridge("br-int", ports=[OvsPort("qvo3f2a1b4c-5d", tag=1), OvsPort("patch-tun", type="patch",
                                                                            options=[("peer", "patch-int")])]),
        OvsBridge("br-tun", ports=[OvsPort("vxlan-c0a80201", type="vxlan", options=[
            ("df_default", '"true"'), ("in_key", "flow"), ("local_ip", '"192.168.2.11"'), ("out_key", "flow"),
            ("remote_ip", '"192.168.2.1"')])])])
    lines = ovs.vsctl_show(sw).splitlines()
    assert '        Port "qvo3f2a1b4c-5d"' in lines and "            tag: 1" in lines
    assert "        Port patch-tun" in lines and "    Bridge br-tun" in lines
    assert '            Interface "vxlan-c0a80201"' in lines
    assert ('                options: {df_default="true", in_key=flow, local_ip="192.168.2.11", out_key=flow, '
            'remote_ip="192.168.2.1"}') in lines
    assert lines[-1] == '    ovs_version: "2.9.2"'


def test_kernel_dpctl_show_lists_ports_with_internal_flag():
    sw = Ovs(uuid="u", datapath_ports=[DatapathPort(0, "ovs-system", "internal"), DatapathPort(3, "qvo3f2a1b4c-5d"),
                                       DatapathPort(4, "vxlan_sys_4789", "vxlan: packet_type=ptap")])
    lines = ovs.dpctl_show(sw).splitlines()
    assert lines[0] == "system@ovs-system:"
    assert lines[-3:] == ["\tport 0: ovs-system (internal)", "\tport 3: qvo3f2a1b4c-5d",
                          "\tport 4: vxlan_sys_4789 (vxlan: packet_type=ptap)"]


def test_old_virsh_list_has_fixed_columns_and_52_dashes():
    text = virsh.virsh_list([Domain(2, "instance-00000001", "u1"), Domain(None, "instance-00000009", "u9", state="shut off")])
    assert text == (" Id    Name                           State\n" + "-" * 52 + "\n"
                    " 2     instance-00000001              running\n\n")
    assert " -     instance-00000009              shut off" in virsh.virsh_list(
        [Domain(None, "instance-00000009", "u9", state="shut off")], show_all=True)


def test_old_iproute_has_no_trailing_space_after_inet6_scope():
    from simulator.hostview import Inet6
    link = Link(3, "eth1", "52:54:00:00:01:01", inet6=[Inet6("fe80::5054:ff:fe00:101", 64)])
    assert "    inet6 fe80::5054:ff:fe00:101/64 scope link\n" in ip.address_show([link])


def test_vpp_outputs_parse_the_way_calipso_parses_them():
    v = Vpp(interfaces=[VppInterface("local0", 0, "down", mtu=0),
                        VppInterface("TenGigabitEthernet5/0/0", 1, mac="52:54:00:00:02:05", addresses=["192.168.2.11/24"]),
                        VppInterface("VirtualEthernet0/0/0", 3, mac="fa:16:3e:11:22:33", bridge_domain=101, shg=1)])
    rows = [l.split() for l in vpp.show_int(v).splitlines()[1:] if l and not l.startswith(" ")]
    assert [(r[0], r[1], r[2]) for r in rows] == [("local0", "0", "down"), ("TenGigabitEthernet5/0/0", "1", "up"),
                                                   ("VirtualEthernet0/0/0", "3", "up")]
    assert "l2 bridge VirtualEthernet0/0/0 bd_id 101 shg 1" in vpp.show_mode(v).splitlines()
    hw = vpp.show_hardware(v).splitlines()
    at = hw.index(next(l for l in hw if l.startswith("VirtualEthernet0/0/0")))
    assert len(hw[at].split()) == 4 and hw[at + 1] == "  Ethernet address fa:16:3e:11:22:33"
    assert vpp.show_hardware(v, "nope") is None
    assert vpp.show_version(v).split()[:2] == ["vpp", "v19.08.1-release"]
