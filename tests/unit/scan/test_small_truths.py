"""Small truths real two-node clouds taught (issue 25), on recorded Zed outputs (tests.fixtures.ZED):
the tunnel underlay's real device name, and the remote endpoints of a Linux bridge VXLAN device."""

from __future__ import annotations

from scan.parsers.ip import fdb_remotes, parse_addresses, tunnel_underlay
from tests.fixtures import ZED


def _with_ip_on(text: str, device: str, ip: str) -> str:
    """The recorded `ip address show` with an address added under one device (as `ip addr add` would)."""
    out, lines, i = [], text.splitlines(), 0
    while i < len(lines):
        out.append(lines[i])
        head = lines[i].split(": ")
        if len(head) > 2 and head[1].split("@")[0] == device:
            out += [lines[i + 1], f"    inet {ip}/24 scope global {device}"]
            i += 1
        i += 1
    return "\n".join(out) + "\n"


def test_a_veth_with_its_peer_in_another_namespace_is_its_own_underlay():
    # the recorded DHCP tap `tapde0e3cac-6f@if2 ... link-netns qdhcp-...`, holding the tunnel IP as c1-tun does
    text = _with_ip_on((ZED / "cli" / "ip_address_show.txt").read_text(), "tapde0e3cac-6f", "192.168.222.1")
    assert "tapde0e3cac-6f@if2" in text
    where = tunnel_underlay(text, "192.168.222.1")
    assert where == {"interface": "tapde0e3cac-6f", "bridge": False, "underlay": ["tapde0e3cac-6f"]}


def test_a_veth_pair_in_one_namespace_is_not_a_vlan_parent():
    text = _with_ip_on((ZED / "cli" / "ip_address_show.txt").read_text(), "qvo4c8a389f-a2", "192.168.222.1")
    assert tunnel_underlay(text, "192.168.222.1")["underlay"] == ["qvo4c8a389f-a2"]


def test_a_peer_index_of_this_namespace_resolves_to_its_name():
    text = ("5: eth1: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc mq state UP group default qlen 1000\n"
            "    link/ether 52:54:00:00:00:01 brd ff:ff:ff:ff:ff:ff\n"
            "7: tun0@if5: <BROADCAST,MULTICAST,UP,LOWER_UP> mtu 1500 qdisc noqueue state UP group default qlen 1000\n"
            "    link/ether 52:54:00:00:00:02 brd ff:ff:ff:ff:ff:ff\n"
            "    inet 10.0.9.1/24 scope global tun0\n")
    assert [i["name"] for i in parse_addresses(text)] == ["eth1", "tun0"]
    assert tunnel_underlay(text, "10.0.9.1")["underlay"] == ["eth1"]   # a VLAN on eth1, shown by index


def test_a_vxlan_device_has_one_remote_per_flood_entry():
    fdb = ("00:00:00:00:00:00 dev vxlan-521 dst 192.168.222.2 self permanent\n"
           "fa:16:3e:41:77:bf dev vxlan-521 dst 192.168.222.2 self\n"
           "00:00:00:00:00:00 dev vxlan-521 dst 192.168.222.3 self permanent\n"
           "00:00:00:00:00:00 dev vxlan-975 dst 192.168.222.9 self permanent\n"
           "33:33:00:00:00:01 dev vxlan-521 self permanent\n")
    assert fdb_remotes(fdb, "vxlan-521") == ["192.168.222.2", "192.168.222.3"]
    assert fdb_remotes(fdb, "vxlan-1") == []


def test_each_remote_of_a_vxlan_device_is_a_tunnel_port_of_its_own():
    from scan.fetchers.cli.oteps_lxb import tunnel_port

    ports = [tunnel_port("vxlan-521", "vxlan", "192.168.222.1", ip) for ip in ("192.168.222.2", "192.168.222.3")]
    assert [p["name"] for p in ports] == ["vxlan-521-c0a8de02", "vxlan-521-c0a8de03"]
    assert {p["interface"] for p in ports} == {"vxlan-521"}
    assert ports[0]["options"] == {"local_ip": "192.168.222.1", "remote_ip": "192.168.222.2"}


def test_speed_and_duplex_from_sysfs_read_as_ethtool_says_them():
    from scan.parsers import ParseError
    from scan.parsers.host import sysfs_duplex, sysfs_speed

    assert sysfs_speed("10000\n") == "10000Mb/s" and sysfs_speed("-1\n") == "Unknown!"
    assert sysfs_duplex("full\n") == "Full" and sysfs_duplex("unknown") == "Unknown!"
    for bad, parse in (("cat: speed: Invalid argument", sysfs_speed), ("fast", sysfs_duplex)):
        try:
            parse(bad)
        except ParseError:
            continue
        raise AssertionError(f"{bad!r} was accepted")
