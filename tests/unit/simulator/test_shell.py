"""The simulated shell's grammar, on the model's hosts: exactly what vim-contract §4.4 needs, nothing run."""

from __future__ import annotations

import pytest

from simulator.model import Params, build_model
from simulator.ssh.service import ViewCache
from simulator.ssh.shell import HopFailure, Shell


@pytest.fixture(scope="module")
def shell():
    model = build_model(Params(computes=2, instances=2, seed=2, distribution="Mercury"))
    views = ViewCache(model)
    return Shell(views, lambda host: HopFailure("ssh: connect to host cmp-2 port 22: Connection refused\n")
                 if host == "cmp-2" else None)


def test_lists_and_conditionals(shell):
    assert shell.run("ctl-1", "false && echo no; echo yes", True).out == "yes\n"
    assert shell.run("ctl-1", "false || echo fallback", True).out == "fallback\n"
    assert shell.run("ctl-1", "true || echo skipped", True).out == ""
    assert shell.run("ctl-1", "cat /etc/telegraf.conf 2>/dev/null || echo", True).out == "\n"


def test_exit_status_of_the_command_before_as_bash_expands_it(shell):
    assert shell.run("ctl-1", 'false; echo "s $?"; true; echo $?', True).out == "s 1\n0\n"
    assert shell.run("ctl-1", "ls /nowhere 2>/dev/null; echo \"it's $?\"", True).out == "it's 2\n"
    assert shell.run("ctl-1", "false; echo '$?' \\$?", True).out == "$? $?\n"   # quoted or escaped: kept


def test_pipes_and_grep_flavours(shell):
    text = shell.run("ctl-1", "ls -l /sys/class/net | grep ^l", True).out
    assert text and all(l.startswith("l") for l in text.splitlines())
    assert shell.run("ctl-1", 'ls /sys/class/net | grep -E "eth0|eth1"', True).out == "eth0\neth1\n"
    assert shell.run("ctl-1", r'ls /sys/class/net | grep "eth0\|lo"', True).out == "eth0\nlo\n"
    assert shell.run("ctl-1", "ls /sys/class/net | grep -c eth", True).out == "3\n"
    r = shell.run("ctl-1", "ls /sys/class/net | grep nothing-like-this", True)
    assert (r.out, r.status) == ("", 1)


def test_redirections(shell):
    r = shell.run("ctl-1", "ls -1 /proc/net/bonding/ 2>&1", True)
    assert r.err == "" and r.out.startswith("ls: cannot access") and r.status == 2
    r = shell.run("ctl-1", "ls -1 /proc/net/bonding/ 2>/dev/null", True)
    assert (r.out, r.err) == ("", "")
    assert shell.run("ctl-1", "uname -n >/dev/null", True).out == ""


def test_backticks_inside_double_quotes(shell):
    assert shell.run("ctl-1", 'echo "ARCHITECTURE=`arch`"', True).out == "ARCHITECTURE=x86_64\n"


def test_docker_exec_runs_the_rest_on_the_same_host(shell):
    direct = shell.run("ctl-1", "ip netns list", True).out
    assert direct
    for prefix in ("docker exec --user root neutron_l3_agent_10239 ", "docker exec --user root --workdir /root "
                                                                      "ovs_vswitch_27800 "):
        assert shell.run("ctl-1", prefix + "ip netns list", True).out == direct
    assert shell.run("ctl-1", "docker ps", True).status == 1


def test_ssh_wrapper_errors(shell):
    r = shell.run("ctl-1", "ssh -q -o StrictHostKeyChecking=no cmp-2 uname -n", True)
    assert (r.out, r.err, r.status) == ("", "", 255)
    r = shell.run("ctl-1", "ssh cmp-2 uname -n", True)
    assert r.err == "ssh: connect to host cmp-2 port 22: Connection refused\n" and r.status == 255
    assert shell.run("ctl-1", "ssh -o StrictHostKeyChecking=no root@cmp-1 'uname -n'", True).out == "cmp-1\n"
    assert shell.run("ctl-1", "ssh -p 22 -l root cmp-1 hostname", True).out == "cmp-1\n"


def test_quoted_remote_pipeline_runs_on_the_target(shell):
    out = shell.run("ctl-1", "ssh cmp-1 'ls -l /sys/class/net | grep -v /virtual/ | grep ^l'", True).out
    assert out.splitlines() and all("/virtual/" not in l for l in out.splitlines())


def test_bad_input(shell):
    assert shell.run("ctl-1", 'echo "unterminated', True).status == 2
    r = shell.run("ctl-1", "rm -rf /", True)
    assert (r.err, r.status) == ("bash: rm: command not found\n", 127)
    assert "does not exist" in shell.run("ctl-1", "ip address show eth9", True).err
    assert shell.run("ctl-1", "ip netns exec qdhcp-nope ip a", True).status == 1
    assert shell.run("cmp-1", "virsh dumpxml instance-99999999", True).err.startswith("error: failed to get domain")


def test_disk_listing_has_the_nine_columns_cvim_needs(shell):
    out = shell.run("cmp-1", "lsblk -d -n -o KNAME,STATE,SIZE,SERIAL,VENDOR,HCTL,REV,WWN,MODEL", True).out
    assert [len(l.split()) >= 9 for l in out.splitlines()] == [True]
    r = shell.run("cmp-1", 'lsblk -n -o KNAME,PKNAME,SIZE,PARTLABEL,MOUNTPOINT | grep -E "data|block"', True)
    assert (r.out, r.status) == ("", 1)  # no Ceph OSD partitions on simulated hosts


def test_sriov_vf_carries_the_direct_port_mac_and_the_domain_a_hostdev():
    model = build_model(Params(computes=1, instances=0, seed=6, sriov=True))
    shell = Shell(ViewCache(model))
    net = next(n for n in model.networks.values() if not n.external)
    port = model.create_port(net.id, vnic_type="direct")
    inst = model.create_server("sriov-vm", ports=[port.id], host="cmp-1")
    text = shell.run("cmp-1", "ip -d link show enp5s0f1", True).out.lower()
    assert f"vf 0 mac {port.mac_address}, vlan {net.segmentation_id}, spoof checking on" in text
    xml = shell.run("cmp-1", f"virsh dumpxml {inst.domain_name}", True).out
    assert "<interface type='hostdev' managed='yes'>" in xml and f"<mac address='{port.mac_address}'/>" in xml
