"""Outputs kept for a scan's later askers come back exactly as they were put, however they are kept."""

from scan.access.ssh import output
from scan.access.kept_outputs import KeptOutputs


def test_an_output_comes_back_whole_with_where_it_came_from():
    kept = KeptOutputs(lambda key, text, status: output(text, key[0], key[1], status))
    text = "eth0: <BROADCAST> mtu 1500 \u00e9t\u00e9 \u2215 caf\u00e9\n" * 500 + "\udcff tail"   # undecodable byte kept
    kept.put(("cmp-1", "ip address show"), text, 0)
    got = kept.get(("cmp-1", "ip address show"))
    assert got == text and got.host == "cmp-1" and got.call == "ip address show" and got.status == 0
    assert kept.get(("cmp-1", "ip address show")) == text            # kept for the next asker too


def test_a_read_once_output_is_gone_after_its_read_and_a_failed_one_keeps_its_status():
    kept = KeptOutputs(lambda key, text, status: output(text, key[0], key[1], status))
    kept.setdefault(("cmp-2", "ovs-vsctl show"), "Bridge br-tun\n" * 5000, 0)
    kept.setdefault(("cmp-2", "ovs-vsctl show"), "other", 0)              # the first one stays
    kept.setdefault(("cmp-2", "brctl show"), "", 127)
    assert kept.take(("cmp-2", "ovs-vsctl show")) == "Bridge br-tun\n" * 5000
    assert kept.take(("cmp-2", "ovs-vsctl show")) is None
    assert kept.get(("cmp-2", "brctl show")).status == 127
