"""The scanner's tunnel-mesh pipelines answered without listing the lazy tunnels: byte for byte the generic
path's, which is itself what bash with the real GNU tools makes of the simulated `ovs-vsctl` output."""

from __future__ import annotations

import shlex
import shutil
import subprocess
from collections import OrderedDict

import pytest

from scan.fetchers.host_commands import OVS_SHOW_LEAN, TUNNEL_DIGEST, TUNNEL_TEMPLATES
from simulator.hostview import OvsPort
from simulator.model import Params, build_model
from simulator.model.build import add_compute
from simulator.model.plumbing import plumbing
from simulator.ssh import meshfast
from simulator.ssh.service import ViewCache
from simulator.ssh.shell import Shell

LINES = (meshfast.TEMPLATES, meshfast.DIGEST, meshfast.LEAN_SHOW)
BATCH = ' 2>/dev/null; echo "__calipso_end_of_output__ $?"'


def mesh(**kw):
    model = build_model(Params(**{"computes": 5, "instances": 3, "seed": 7, "l2_population": False, **kw}))
    model.hosts["cmp-2"].tunnel_lost = True
    return model, Shell(ViewCache(model))


@pytest.fixture
def taken(monkeypatch):
    """The answers the fast handlers gave (None: they declined)."""
    answers = []
    for key, handler in list(meshfast.PIPELINES.items()):
        monkeypatch.setitem(meshfast.PIPELINES, key, lambda *a, h=handler: answers.append(h(*a)) or answers[-1])
    return answers


def generic(shell, host, line, monkeypatch, root=False):
    with monkeypatch.context() as m:
        m.setattr(meshfast, "answer", lambda *a: None)
        return shell.run(host, line, root)


def test_the_simulator_answers_the_scanners_own_command_lines():
    scanners = (TUNNEL_TEMPLATES, TUNNEL_DIGEST, OVS_SHOW_LEAN)
    assert {meshfast.stages(str(c)) for c in scanners} == set(meshfast.PIPELINES)


@pytest.mark.parametrize("release", ["current", "old"])
def test_fast_answers_are_the_generic_ones_byte_for_byte(release, taken, monkeypatch):
    model, shell = mesh(**({"release": "old"} if release == "old" else {}))
    hosts = [h for h in model.hosts if ViewCache(model)(h).ovs is not None]
    assert "cmp-2" in hosts and len(hosts) >= 6
    for host in hosts:
        for line in LINES:
            for text, root in (("sudo " + line, False), (line, True), ("sudo " + line + BATCH, False)):
                fast = shell.run(host, text, root)
                assert fast == generic(shell, host, text, monkeypatch, root), (host, text)
                assert fast.status == 0 and fast.out
    assert len(taken) == len(hosts) * 9 and None not in taken


@pytest.mark.skipif(not all(shutil.which(t) for t in ("bash", "sed", "sort", "uniq", "md5sum", "grep")),
                    reason="bash and the GNU tools are needed to compare with")
@pytest.mark.parametrize("release", ["current", "old"])
def test_answers_are_what_the_real_tools_make_of_the_listing(release, taken):
    model, shell = mesh(**({"release": "old"} if release == "old" else {}))
    for host in ("cmp-1", "cmp-2"):
        for line in LINES:
            head, _, tail = line.partition(" | ")
            listing = shell.run(host, head, True)
            real = subprocess.run(["bash", "-c", tail], input=listing.out.encode(), capture_output=True,
                                  env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
            got = shell.run(host, "sudo " + line, False)
            assert (got.out, got.status) == (real.stdout.decode(), real.returncode), (host, line)
    assert taken and None not in taken


def test_a_lost_tunnel_is_left_out_of_the_digest_and_the_counts(taken, monkeypatch):
    monkeypatch.setattr(meshfast, "_CACHE", OrderedDict())
    model, shell = mesh()
    def vxlan_count(host):
        line = next(l for l in shell.run(host, "sudo " + meshfast.TEMPLATES, False).out.splitlines() if ",vxlan," in l
                    or " vxlan," in l)
        return int(line.split()[0])
    assert vxlan_count("cmp-1") == vxlan_count("cmp-2") + 1
    digests = {shell.run(h, "sudo " + meshfast.DIGEST, False).out for h in ("cmp-1", "cmp-2", "cmp-3")}
    assert len(digests) == 3                                   # each host leaves itself out
    assert len(meshfast._CACHE) == 1                           # one shared table for the hosts of one mesh


def test_other_interfaces_with_a_remote_ip_sort_among_the_tunnels(taken, monkeypatch):
    model = build_model(Params(computes=5, instances=3, seed=7, l2_population=False))
    model.hosts["cmp-2"].tunnel_lost = True
    views = ViewCache(model)
    shell = Shell(views)
    (peer,) = plumbing(model, "cmp-2").tunnels.skip - {"cmp-2"}      # the peer cmp-2 lost its tunnel to
    lost = next(p for p in next(b for b in views("cmp-1").ovs.bridges if b.name == "br-tun").ports
                if dict(p.options).get("remote_ip") == f'"{model.hosts[peer].tunnel_ip}"')
    tun = next(b for b in views("cmp-2").ovs.bridges if b.name == "br-tun")
    before = shell.run("cmp-2", "sudo " + meshfast.DIGEST, False)
    for name, ip in (("aaa-first", "10.9.9.9"), ("vxlan-ac100003x", "172.16.0.3"), ("zzz-last", "10.0.0.1")):
        tun.ports.head.append(OvsPort(name, type="gre", options=[("remote_ip", f'"{ip}"')]))
    tun.ports.head.append(OvsPort(lost.name, type=lost.type, options=[("remote_ip", dict(lost.options)["remote_ip"])]))
    for line in LINES:
        assert shell.run("cmp-2", "sudo " + line, False) == generic(shell, "cmp-2", "sudo " + line, monkeypatch)
    assert shell.run("cmp-2", "sudo " + meshfast.DIGEST, False) != before
    assert len(taken) == 5 and None not in taken


def test_a_changed_model_is_never_answered_from_the_old_mesh(taken, monkeypatch):
    model, shell = mesh()
    before = shell.run("cmp-1", "sudo " + meshfast.DIGEST, False)
    add_compute(model)
    after = shell.run("cmp-1", "sudo " + meshfast.DIGEST, False)
    assert after != before and after == generic(shell, "cmp-1", "sudo " + meshfast.DIGEST, monkeypatch)
    joined = [l for l in shell.run("cmp-1", "sudo " + meshfast.TEMPLATES, False).out.splitlines() if "vxlan" in l]
    assert joined == [l for l in generic(shell, "cmp-1", "sudo " + meshfast.TEMPLATES, monkeypatch).out.splitlines()
                      if "vxlan" in l]


def test_through_the_master_and_in_a_container(taken, monkeypatch):
    model, shell = mesh(distribution="Mercury")
    for line in LINES:
        hop = shlex.join(["ssh", "-q", "-o", "StrictHostKeyChecking=no", "-o", "BatchMode=yes", "cmp-1",
                          "sudo " + line])
        assert shell.run("ctl-1", hop, False) == generic(shell, "cmp-1", "sudo " + line, monkeypatch)
        boxed = "sudo docker exec --user root ovs_vswitch_1 " + line
        assert shell.run("cmp-1", boxed, False) == generic(shell, "cmp-1", boxed, monkeypatch)
    assert len(taken) == 6 and None not in taken


def test_hosts_whose_tunnels_are_a_list_take_the_generic_path(taken, monkeypatch):
    model = build_model(Params(computes=4, instances=6, seed=7, l2_population=True))
    shell = Shell(ViewCache(model))
    for line in LINES:
        r = shell.run("cmp-1", "sudo " + line, False)
        assert r == generic(shell, "cmp-1", "sudo " + line, monkeypatch) and r.status == 0
    assert taken == []                       # declined before any handler ran
    denied = shell.run("cmp-1", meshfast.DIGEST, False)   # no sudo: the generic path, and its refusal
    assert "Permission denied" in denied.err
