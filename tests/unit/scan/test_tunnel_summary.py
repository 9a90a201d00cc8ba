"""A host tells in a few lines whether its tunnel ports are the whole mesh: the command tails run in the
real shell tools (sed, sort, uniq, md5sum, grep) over what `ovs-vsctl` prints, and the scanner takes
the host's ports as the mesh exactly when `compact` of its ports listed whole would say the same; any
port missing, extra, of other options or in error sends it back to `ovs-vsctl show`."""

from __future__ import annotations

import subprocess

import pytest

from app.tunnel_mesh import Mesh, compact
from scan.fetchers.cli.tunnel_summary import Expected, template_of
from scan.fetchers.host_commands import OVS_SHOW_LEAN, TUNNEL_DIGEST, TUNNEL_TEMPLATES
from scan.parsers.ovs_tunnels import vsctl_show_split
from tests.unit.scan.test_ovs_tunnels import hexname, ip, show

N = 12
MESH = Mesh("vxlan", [(ip(k), f"cmp-{k}") for k in range(N)])


def tunnel_row(k: int, me: int = 0, extra: str = "", error: str = "[]", name: str | None = None) -> str:
    options = (f'{{df_default=""true"", egress_pkt_mark=""0"", in_key=flow, local_ip=""{ip(me)}"", '
               f'out_key=flow, remote_ip=""{ip(k)}""{extra}}}')
    return f'{name or hexname(k)},vxlan,"{options}",{error}'


def rows(me: int = 0, skip: tuple = (), **odd) -> list[str]:
    """`ovs-vsctl --no-headings --format=csv --columns=name,type,options,error list Interface` of a host."""
    out = ["br-int,internal,{},[]", 'patch-tun,patch,"{peer=patch-int}",[]', 'qvo1a2b,"",{},[]',
           "br-tun,internal,{},[]", 'patch-int,patch,"{peer=patch-tun}",[]']
    out += [tunnel_row(k, me, **(odd if k == 5 else {})) for k in range(N) if k != me and k not in skip]
    return out


def tail(command, text: str) -> str:
    """The host's shell running the command's pipeline on `text` (what ovs-vsctl printed)."""
    return subprocess.run(["bash", "-c", command.tail], input=text, capture_output=True, text=True, check=True).stdout


def summary(lines: list[str], me: int = 0, own: str | None = None):
    text = "".join(line + "\n" for line in lines)
    return template_of(tail(TUNNEL_TEMPLATES, text), tail(TUNNEL_DIGEST, text), Expected(MESH), own)


def test_a_host_with_every_other_endpoint_is_the_mesh_with_the_template_compact_finds():
    found = summary(rows(me=3), me=3)
    assert found is not None
    whole = compact(vsctl_show_split(show(N, me=3))[1], MESH, None, False)
    template, own = found
    assert (template, own) == (whole["template"], whole["local_ip"]) and whole["except"] == [] == whole["other"]
    assert list(template["options"]) == ["df_default", "egress_pkt_mark", "in_key", "local_ip", "out_key"]
    assert summary(rows(me=3), own=ip(3)) == found     # its agent's tunnelling IP says the same


@pytest.mark.parametrize("odd", [
    {"skip": (7,)},                                            # a tunnel missing
    {"extra": ', dst_port=""4790""'},                          # one port of other options
    {"error": '"could not add network device vxlan-ac100007 to ofproto (File exists)"'},
    {"name": "vxlan-deadbeef"},                                # named for another address
])
def test_any_port_out_of_the_mesh_sends_the_host_to_its_show(odd):
    lines = rows(skip=odd.pop("skip", ()), **odd)
    assert summary(lines) is None


def test_an_endpoint_the_mesh_does_not_know_or_a_port_to_itself_is_not_the_mesh():
    assert summary(rows() + [tunnel_row(40)]) is None            # a stale peer left on the host
    assert summary(rows() + [tunnel_row(0)]) is None              # a port to its own address


def test_a_failed_or_foreign_answer_is_not_the_mesh():
    expected = Expected(MESH)
    assert template_of("", "d41d8cd98f00b204e9800998ecf8427e  -\n", expected, None) is None
    assert template_of("bash: uniq: command not found\n", "", expected, None) is None
    assert summary(rows(skip=tuple(range(1, N)))) is None          # no tunnel at all: read whole


def test_an_ipv6_mesh_is_always_read_whole():
    v6 = Expected(Mesh("vxlan", [("fd00::1", "a"), ("fd00::2", "b")]))
    assert not v6.readable
    assert template_of("      1 vxlan,x,[]\n", "", v6, None) is None


def test_show_without_the_tunnel_ports_is_what_show_gives_less_them():
    full = show(N, me=2)
    lean = tail(OVS_SHOW_LEAN, full)
    assert len(lean) < len(full) // 3
    assert vsctl_show_split(lean) == (vsctl_show_split(full)[0], [])
