"""`ovs-vsctl list Interface` on simulated hosts: OVSDB's string form of each cell and OVS's CSV quoting
(lib/table.c), the columns asked in their order, the list format, and the same refusals as other commands."""

from __future__ import annotations

import pytest

from simulator.hostview import OvsPort
from simulator.model import Params, build_model
from simulator.render.ovs import Quoted, csv_cell, interface_cell, vsctl_show
from simulator.ssh.service import ViewCache
from simulator.ssh.shell import Shell

LIST = "ovs-vsctl --format=csv --columns=name,type,options,error list Interface"


@pytest.fixture(scope="module")
def cloud():
    model = build_model(Params(computes=2, instances=2, seed=3, l2_population=False))
    return model, Shell(ViewCache(model))


def test_csv_cells_are_raw_unless_they_hold_a_quote_a_comma_or_a_newline():
    assert csv_cell("br-int") == "br-int"
    assert csv_cell("{}") == "{}" and csv_cell("[]") == "[]"
    assert csv_cell("a,b") == '"a,b"'
    assert csv_cell('""') == '""""""'
    assert csv_cell('{peer="x y"}') == '"{peer=""x y""}"'
    assert csv_cell("two\nlines") == '"two\nlines"'


def test_cells_in_ovsdb_string_form():
    q = Quoted("3.1.0").__getitem__
    system = OvsPort("qvo1234", tag=1)
    assert [interface_cell(system, c, q) for c in ("name", "type", "options", "error")] == ["qvo1234", '""', "{}", "[]"]
    tunnel = OvsPort("vxlan-0a000002", type="vxlan",
                     options=[("remote_ip", q("10.0.0.2")), ("in_key", q("flow")), ("df_default", q("true"))])
    assert interface_cell(tunnel, "options", q) == '{df_default="true", in_key=flow, remote_ip="10.0.0.2"}'
    old = Quoted("2.9.2").__getitem__   # before 2.10 OVS quoted any string with a digit
    assert interface_cell(tunnel, "name", old) == '"vxlan-0a000002"'
    assert interface_cell(tunnel, "name", q) == "vxlan-0a000002"


def test_one_row_per_interface_of_every_bridge_with_headings(cloud):
    model, shell = cloud
    r = shell.run("cmp-1", "sudo " + LIST, False)
    rows = r.out.splitlines()
    assert (r.status, r.err, rows[0]) == (0, "", "name,type,options,error")
    ovs = ViewCache(model)("cmp-1").ovs
    assert len(rows) - 1 == sum(len(b.ports) for b in ovs.bridges)
    remote = model.hosts["cmp-2"].tunnel_ip
    local = model.hosts["cmp-1"].tunnel_ip
    name = "vxlan-" + "".join("%02x" % int(o) for o in remote.split("."))
    assert (f'{name},vxlan,"{{df_default=""true"", egress_pkt_mark=""0"", in_key=flow, local_ip=""{local}"", '
            f'out_key=flow, remote_ip=""{remote}""}}",[]') in rows
    assert "br-tun,internal,{},[]" in rows and "patch-int,patch,{peer=patch-tun},[]" in rows
    qvo = [row for row in rows if row.startswith("qvo")]
    assert qvo and all(row.endswith(',"""""",{},[]') for row in qvo)   # a system port's type is ""


def test_columns_in_the_order_asked_without_headings(cloud):
    _, shell = cloud
    r = shell.run("cmp-1", "ovs-vsctl --no-headings --format csv --columns=error,name list interface br-tun", True)
    assert r.out == "[],br-tun\n"
    r = shell.run("cmp-1", "ovs-vsctl --columns=name,type list Interface br-tun", True)
    assert r.out == "name                : br-tun\ntype                : internal\n"


def test_names_quoted_as_show_quotes_them_on_an_old_ovs():
    model = build_model(Params(computes=2, instances=1, seed=3, l2_population=False, release="old"))
    shell = Shell(ViewCache(model))
    rows = shell.run("cmp-1", LIST, True).out.splitlines()[1:]
    shown = vsctl_show(ViewCache(model)("cmp-1").ovs)
    tunnels = [row for row in rows if ",vxlan," in row]
    assert tunnels and all(row.startswith('"""vxlan-') for row in tunnels)
    for row in tunnels:
        assert f"Port {row.split(',')[0][2:-2]}\n" in shown    # the same quoted name, CSV-escaped


def test_refusals(cloud):
    _, shell = cloud
    denied = shell.run("cmp-1", LIST, False)
    assert (denied.out, denied.status) == ("", 1) and denied.err == shell.run("cmp-1", "ovs-vsctl show", False).err
    r = shell.run("cmp-1", "ovs-vsctl --columns=name,mtu list Interface", True)
    assert (r.err, r.status) == ('ovs-vsctl: Interface does not contain a column whose name matches "mtu"\n', 1)
    assert shell.run("cmp-1", "ovs-vsctl list Nothing", True).err == 'ovs-vsctl: unknown table "Nothing"\n'
    assert shell.run("cmp-1", "ovs-vsctl list Interface nosuch", True).err == \
        'ovs-vsctl: no row "nosuch" in table Interface\n'
    assert shell.run("cmp-1", "ovs-vsctl list", True).err == "ovs-vsctl: 'list' command requires at least 1 arguments\n"
