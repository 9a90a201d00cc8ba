"""The scanner's tunnel-mesh commands over real SSH (the scanner's own asyncssh pool and Cli, batched as it
prefetches them), against a simulated cloud without l2population: the answers are the generic path's and
what bash with the real GNU tools makes of the host's listing."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from scan.access.calls import Caller, CallStats, Limiter
from scan.access.ssh import Cli
from scan.access.ssh_pool import SshPool
from scan.fetchers.host_commands import OVS_SHOW_LEAN, TUNNEL_DIGEST, TUNNEL_TEMPLATES
from simulator.model import Params, build_model
from simulator.ssh import meshfast
from simulator.ssh.service import ViewCache
from simulator.ssh.shell import Shell
from tests.integration.simulator.sshkit import start_ssh

COMMANDS = (TUNNEL_TEMPLATES, TUNNEL_DIGEST, OVS_SHOW_LEAN)


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    model = build_model(Params(computes=4, instances=3, seed=5, l2_population=False))
    model.hosts["cmp-2"].tunnel_lost = True
    server = start_ssh(model, tmp_path_factory.mktemp("ssh-mesh"))
    yield model, server.config_section()
    server.stop()


def expected(model, host: str, monkeypatch) -> list[str]:
    """Each command's output by the generic path, checked against the real tools on the listing."""
    shell = Shell(ViewCache(model))
    out = []
    with monkeypatch.context() as m:
        m.setattr(meshfast, "answer", lambda *a: None)
        for command in COMMANDS:
            text = shell.run(host, "sudo " + str(command), False).out
            head, _, tail = str(command).partition(" | ")
            if shutil.which("md5sum") and shutil.which("bash"):
                real = subprocess.run(["bash", "-c", tail], input=shell.run(host, head, True).out.encode(),
                                      capture_output=True, env={"LC_ALL": "C", "PATH": "/usr/bin:/bin"})
                assert real.stdout.decode() == text, command
            out.append(text)
    return out


@pytest.mark.parametrize("access", ["hop", "jump"])
def test_the_scanners_batch_gets_the_generic_answers(cloud, access, monkeypatch):
    model, section = cloud
    answered = []
    for key, handler in list(meshfast.PIPELINES.items()):
        monkeypatch.setitem(meshfast.PIPELINES, key, lambda *a, h=handler: answered.append(h(*a)) or answered[-1])
    pool = SshPool("accept-any")
    try:
        cli = Cli({**section, "host_access": access}, Caller(Limiter(4, 4), CallStats()), pool, sudo=True)
        for host in ("cmp-1", "cmp-2"):
            outs = cli.run_each(host, list(COMMANDS))
            single = cli.run(host, TUNNEL_DIGEST, keep=False)
            want = expected(model, host, monkeypatch)
            assert [str(o) for o in outs] == want and str(single) == want[1]
            assert outs[0].count(",vxlan,") == 0 and "vxlan," in outs[0]     # counted templates, not rows
    finally:
        pool.close()
    assert len(answered) == 8 and None not in answered
