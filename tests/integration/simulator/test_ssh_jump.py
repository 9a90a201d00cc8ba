"""The simulated master forwards `direct-tcpip` to every host, as a real sshd does for OpenSSH's ProxyJump:
the real OpenSSH client reaches a host through it with strict host-key checking against the known_hosts
the simulator publishes; a changed host key and a master configured without forwarding are refused."""

from __future__ import annotations

import asyncio
import subprocess
import threading
from pathlib import Path

import paramiko
import pytest

from simulator.faults import Conditions
from simulator.model import Params, build_model
from simulator.options import SimOptions
from simulator.ssh.server import WORKERS
from simulator.ssh.service import SSHServer

SSH = Path("/usr/bin/ssh")


@pytest.fixture(scope="module")
def model():
    return build_model(Params(computes=2, instances=2, seed=3))


def _start(model, tmp_path, faults=None, forwarding=True) -> SSHServer:
    server = SSHServer(model, SimOptions(state_dir=tmp_path, conditions=Conditions(faults=faults or {}),
                                         extra={"ssh_forwarding": forwarding}))
    server.start()
    return server


def _login(section: dict) -> paramiko.SSHClient:
    c = paramiko.SSHClient()
    c.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    c.connect(section["host"], section["port"], "root", password=section["pwd"], look_for_keys=False,
              allow_agent=False, timeout=5)
    return c


def _proxyjump(section: dict, target: str, command: str) -> subprocess.CompletedProcess:
    common = ["-i", section["key"], "-o", f"UserKnownHostsFile={section['known_hosts']}",
              "-o", "StrictHostKeyChecking=yes", "-o", "BatchMode=yes", "-o", "ConnectTimeout=5"]
    jump = " ".join([str(SSH), *common, "-p", str(section["port"]), "-W", "%h:%p", f"root@{section['host']}"])
    return subprocess.run([str(SSH), *common, "-o", f"ProxyCommand={jump}", f"root@{target}", command],
                          capture_output=True, text=True, timeout=30)


@pytest.mark.skipif(not SSH.exists(), reason="OpenSSH client not installed")
def test_openssh_jumps_through_the_master_with_every_key_checked(model, tmp_path):
    server = _start(model, tmp_path, faults={"cmp-2": {"hostkey"}})
    try:
        section = server.config_section()
        r = _proxyjump(section, "cmp-1", "uname -n")
        assert (r.returncode, r.stdout) == (0, "cmp-1\n"), r.stderr
        r = _proxyjump(section, "cmp-2", "uname -n")          # its key is not the one in known_hosts
        assert r.returncode == 255 and "Host key verification failed" in r.stderr
    finally:
        server.stop()


def test_every_host_has_its_own_key_in_known_hosts(model, tmp_path):
    server = _start(model, tmp_path)
    try:
        known = paramiko.HostKeys(server.config_section()["known_hosts"])
        keys = {h.name: known.lookup(h.name) for h in model.hosts.values() if h.name != server.master}
        assert all(k is not None for k in keys.values())
        assert len({k["ecdsa-sha2-nistp256"].get_base64() for k in keys.values()}) == len(keys)
        c = paramiko.SSHClient()
        c.load_host_keys(server.config_section()["known_hosts"])
        c.set_missing_host_key_policy(paramiko.RejectPolicy())
        section = server.config_section()
        c.connect(section["host"], section["port"], "root", key_filename=section["key"], look_for_keys=False,
                  allow_agent=False, timeout=5)
        chan = c.get_transport().open_channel("direct-tcpip", ("cmp-1", 22), ("127.0.0.1", 0))
        inner = paramiko.SSHClient()
        inner.load_host_keys(section["known_hosts"])
        inner.set_missing_host_key_policy(paramiko.RejectPolicy())
        inner.connect("cmp-1", 22, "root", key_filename=section["key"], sock=chan, look_for_keys=False,
                      allow_agent=False, timeout=5)
        _, out, _ = inner.exec_command("uname -n")
        assert out.read() == b"cmp-1\n"
        inner.close()
        c.close()
    finally:
        server.stop()


def test_hop_with_strict_checking_refuses_a_changed_key_unless_told_not_to_check(model, tmp_path):
    server = _start(model, tmp_path, faults={"cmp-2": {"hostkey"}})
    try:
        c = _login(server.config_section())

        def run(command):
            _, out, err = c.exec_command(command)
            return out.read().decode(), err.read().decode(), out.channel.recv_exit_status()

        out, err, status = run("ssh -o StrictHostKeyChecking=yes -o BatchMode=yes cmp-2 uname -n")
        assert status == 255 and "Host key verification failed." in err and "IDENTIFICATION HAS CHANGED" in err
        assert run("ssh -q -o StrictHostKeyChecking=accept-new cmp-2 uname -n")[2] == 255
        assert run("ssh -q -o StrictHostKeyChecking=no cmp-2 uname -n")[::2] == ("cmp-2\n", 0)
        assert run("ssh -q -o StrictHostKeyChecking=yes cmp-1 uname -n")[::2] == ("cmp-1\n", 0)
        c.close()
    finally:
        server.stop()


def test_a_master_without_forwarding_refuses_direct_tcpip(model, tmp_path):
    server = _start(model, tmp_path, forwarding=False)
    try:
        c = _login(server.config_section())
        with pytest.raises(paramiko.ChannelException) as e:
            c.get_transport().open_channel("direct-tcpip", ("cmp-1", 22), ("127.0.0.1", 0))
        assert e.value.code == paramiko.OPEN_FAILED_ADMINISTRATIVELY_PROHIBITED
        _, out, _ = c.exec_command("ssh -q cmp-1 uname -n")     # the hop still works
        assert out.read() == b"cmp-1\n"
        c.close()
    finally:
        server.stop()


def test_many_jump_connections_take_a_few_threads_not_one_each(model, tmp_path):
    """A scanner holds a jump connection per host: 200 of them (and a command on each) are served by the
    loop and its few worker threads, not a thread per connection and per channel; stop() closes them all."""
    from app.asyncssh_lib import asyncssh

    before = threading.active_count()
    server = _start(model, tmp_path)
    section = server.config_section()
    hosts = [h.name for h in model.hosts.values() if h.name != server.master]

    async def scan() -> tuple[int, list[str], list]:
        key = asyncssh.read_private_key(section["key"])
        outer = await asyncssh.connect(section["host"], section["port"], username="root", client_keys=[key],
                                       known_hosts=section["known_hosts"], config=None)
        inners = await asyncio.gather(*(
            asyncssh.connect(hosts[i % len(hosts)], 22, tunnel=outer, username="root", client_keys=[key],
                             known_hosts=section["known_hosts"], config=None) for i in range(200)))
        names = [r.stdout for r in await asyncio.gather(*(c.run("uname -n") for c in inners))]
        during = threading.active_count(), sum(t.name.startswith("sim-ssh") for t in threading.enumerate())
        server.stop()   # closes every connection, nested ones too
        await asyncio.wait_for(asyncio.gather(*(c.wait_closed() for c in [*inners, outer])), 10)
        return during, names, inners

    try:
        during, names, inners = asyncio.run(scan())
    finally:
        server.stop()
    assert names == [f"{hosts[i % len(hosts)]}\n" for i in range(200)]
    assert during[0] - before <= 20, f"{during[0] - before} threads for 200 jump connections"
    assert during[1] <= 1 + WORKERS   # the server's own: its loop and its workers
    assert threading.active_count() <= before
