"""`ovs-vsctl show` with br-tun's tunnel ports read the cheap way gives what the line parser gives: the
same bridges and ports, the same tunnel ports in the same order, and the same stored `tunnels` field,
for a plain full mesh and for every output out of the ordinary (which the line parser then reads)."""

from __future__ import annotations

import pytest

from app.tunnel_mesh import Mesh, ShownPort, compact
from scan.parsers.ovs import vsctl_show
from scan.parsers.ovs_tunnels import TUNNEL_TYPES, vsctl_show_split


def ip(k: int) -> str:
    return f"172.16.{k // 250}.{k % 250 + 2}"


def hexname(k: int) -> str:
    return "vxlan-" + "".join("%02x" % int(p) for p in ip(k).split("."))


def show(n: int = 12, me: int = 0, quoted: bool = False) -> str:
    q = '"' if quoted else ""
    out = ["2f9c6e3a-0d2b-4c55-9d7e-3f1c0b8a7e11", "    Bridge br-int", "        Port patch-tun",
           "            Interface patch-tun", "                type: patch",
           "                options: {peer=patch-int}",
           "    Bridge br-tun", '        Controller "tcp:127.0.0.1:6633"', "            is_connected: true",
           "        fail_mode: secure", "        Port patch-int", "            Interface patch-int",
           "                type: patch", "                options: {peer=patch-tun}"]
    for k in range(n):
        if k == me:
            continue
        out += [f"        Port {q}{hexname(k)}{q}", f"            Interface {q}{hexname(k)}{q}",
                "                type: vxlan",
                f'                options: {{df_default="true", egress_pkt_mark="0", in_key=flow, '
                f'local_ip="{ip(me)}", out_key=flow, remote_ip="{ip(k)}"}}']
    out += ["        Port br-tun", "            Interface br-tun", "                type: internal",
            '    ovs_version: "3.1.0"']
    return "\n".join(out) + "\n"


def by_line_parser(text: str) -> tuple[dict, list]:
    bridges = vsctl_show(text)
    ports = bridges.get("br-tun") or {}
    found = [p for p in ports.values() if p.get("type") in TUNNEL_TYPES]
    if found:
        bridges["br-tun"] = {n: p for n, p in ports.items() if p.get("type") not in TUNNEL_TYPES}
    return bridges, found


def assert_alike(text: str) -> list:
    bridges, found = vsctl_show_split(text)
    want_bridges, want = by_line_parser(text)
    got = [p.whole() if isinstance(p, ShownPort) else p for p in found]
    assert bridges == want_bridges
    assert [list(p.items()) for p in got] == [list(p.items()) for p in want]
    assert [list(p.get("options", {}).items()) for p in got] == [list(p.get("options", {}).items()) for p in want]
    mesh = Mesh("vxlan", [(ip(k), f"cmp-{k}") for k in range(12)])
    for l2pop in (None, False, True):
        assert compact(found, mesh, None, l2pop) == compact(want, mesh, None, l2pop)
    return found


def test_a_plain_mesh_is_read_without_a_dict_a_port():
    for quoted in (False, True):   # OVS before 2.10 quotes the names
        found = assert_alike(show(quoted=quoted))
        assert len(found) == 11 and all(isinstance(p, ShownPort) for p in found)
        assert len({id(p.layout) for p in found}) == 1


PLAIN = show()
ODD = {
    "a port with one more field": PLAIN.replace('remote_ip="172.16.0.4"}\n',
                                                'remote_ip="172.16.0.4"}\n                error: "x"\n'),
    "a blank line then a field": PLAIN.replace('remote_ip="172.16.0.4"}\n',
                                               'remote_ip="172.16.0.4"}\n    \n                bfd: x\n'),
    "a tagged tunnel port": PLAIN.replace(f"Port {hexname(5)}\n", f"Port {hexname(5)}\n            tag: 7\n"),
    "a port named twice": PLAIN.replace(f"Port {hexname(6)}\n", f"Port {hexname(3)}\n"),
    "an option with a space": PLAIN.replace('remote_ip="172.16.0.7"', 'remote_ip="172.16.0.7", tos="a b"'),
    "OVS's flow port": PLAIN.replace('remote_ip="172.16.0.8"', "remote_ip=flow"),
    "an unquoted address": PLAIN.replace('remote_ip="172.16.0.9"', "remote_ip=172.16.0.9"),
    "options of another layout": PLAIN.replace('egress_pkt_mark="0", in_key=flow, local_ip="172.16.0.2", out_key=flow, '
                                               'remote_ip="172.16.0.10"', 'in_key=flow, local_ip="172.16.0.2", '
                                               'out_key=flow, remote_ip="172.16.0.10"'),
    "remote_ip twice": PLAIN.replace('df_default="true", egress_pkt_mark="0", in_key=flow, local_ip="172.16.0.2", '
                                     'out_key=flow, remote_ip="172.16.0.11"', 'remote_ip="1.1.1.1", in_key=flow, '
                                     'local_ip="172.16.0.2", remote_ip="172.16.0.11"'),
    "a key twice": PLAIN.replace('df_default="true", egress', 'df_default="true", df_default="false", egress'),
    "the same remote twice": PLAIN.replace('remote_ip="172.16.0.12"', 'remote_ip="172.16.0.11"'),
    "CRLF line ends": PLAIN.replace("\n", "\r\n"),
    "a form feed starting a bridge": PLAIN.replace(f"Port {hexname(6)}\n", f"Port {hexname(6)}\x0c    Bridge x\n"),
    "a port deeper than a port": PLAIN.replace(f"        Port {hexname(4)}\n",
                                               f"                    Port {hexname(4)}\n"),
    "no newline at the end": PLAIN.rsplit("        Port br-tun", 1)[0].rstrip("\n"),
    "br-tun twice": PLAIN + f"    Bridge br-tun\n        Port {hexname(1)}\n            Interface x\n",
    "br-tun again spelt otherwise": PLAIN + f"    Bridge br-tun \n        Port {hexname(99)}\n"
                                            f"            Interface {hexname(99)}\n                type: gre\n",
    "br-tun first": PLAIN[PLAIN.index("    Bridge br-tun"):],
    "no br-tun": PLAIN.replace("Bridge br-tun", "Bridge br-tun2"),
}


@pytest.mark.parametrize("case", ODD)
def test_outputs_out_of_the_ordinary_read_as_the_line_parser_reads_them(case):
    assert ODD[case] != PLAIN
    assert_alike(ODD[case])
