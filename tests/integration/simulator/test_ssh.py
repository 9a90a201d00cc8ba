"""The simulated master over real SSH clients (paramiko and OpenSSH): every §4 command form, the hop to
other hosts, [cvim] direct-tcpip tunnels, and what each answer says about the one model."""

from __future__ import annotations

import asyncio
import re
import xml.etree.ElementTree as ET

import paramiko
import pytest

from app.asyncssh_lib import asyncssh
from simulator.model import Params, build_model
from simulator.model.ids import dev_name
from tests.integration.simulator.sshkit import client, openssh, run, start_ssh

WRAP = "ssh -q -o StrictHostKeyChecking=no"


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    model = build_model(Params(computes=2, instances=3, networks=2, routers=1, seed=11, release="old"))
    server = start_ssh(model, tmp_path_factory.mktemp("ssh-state"))
    yield model, server.config_section()
    server.stop()


@pytest.fixture(scope="module")
def ssh(cloud):
    c = client(cloud[1])
    yield c
    c.close()


def test_gateway_test_uname_is_the_master_host_id(cloud, ssh):
    model, section = cloud
    assert run(ssh, "uname -n").out == "ctl-1\n"
    assert run(ssh, f"{WRAP} cmp-1 uname -n").out == "cmp-1\n"


def test_os_details_both_spellings(ssh):
    for key in ("ARCHITECURE", "ARCHITECTURE"):
        r = run(ssh, f'cat /etc/os-release && echo "{key}=`arch`"')
        assert r.status == 0 and r.err == ""
        assert 'NAME="Ubuntu"' in r.out.splitlines() and r.out.endswith(f"{key}=x86_64\n")


def test_pnics_enumeration_ip_and_ethtool_agree_with_the_model(cloud, ssh):
    model, _ = cloud
    host = model.hosts["cmp-1"]
    r = run(ssh, f'{WRAP} cmp-1 sudo ls -l /sys/class/net | grep ^l | grep -v "/virtual/"')
    names = [line.rsplit("/", 1)[1] for line in r.out.splitlines()]
    assert names == sorted(n.name for n in host.pnics)
    for nic in host.pnics:
        ip = run(ssh, f"{WRAP} cmp-1 sudo ip address show {nic.name}").out
        assert f"link/ether {nic.mac} " in ip and ip.startswith(f"{model.hosts['cmp-1'].ifindexes[nic.name]}: ")
        eth = run(ssh, f"{WRAP} cmp-1 sudo ethtool {nic.name}").out.splitlines()
        assert eth[0] == f"Settings for {nic.name}:" and eth[-1] == "\tLink detected: yes"


def test_bonds_absent_message_on_stdout_with_2to1(ssh):
    r = run(ssh, "sudo ls -1 /proc/net/bonding/ 2>&1")
    assert r.err == "" and "No such file or directory" in r.out.splitlines()[0]


def test_namespaces_carry_port_macs_and_ips(cloud, ssh):
    model, _ = cloud
    namespaces = [l.split()[0] for l in run(ssh, "sudo ip netns list").out.splitlines()]
    expected = {f"qdhcp-{n.id}" for n in model.networks.values() if n.dhcp_host == "ctl-1" and any(
        p.device_owner == "network:dhcp" for p in model.ports_of_network(n.id))}
    expected |= {f"qrouter-{r.id}" for r in model.routers.values() if r.host == "ctl-1"}
    assert set(namespaces) == expected
    for port in model.ports_on_host("ctl-1"):
        ns = model.namespace_of_port(port)
        if not ns:
            continue
        text = run(ssh, f"sudo ip netns exec {ns} ip address show").out
        block = text.split(f": {model.ns_ifname(port)}")[1].split("\n", 3)
        assert f"link/ether {port.mac_address} " in block[1]
        assert f"inet {port.fixed_ips[0]['ip_address']}/" in block[2]


def test_ovs_show_and_dpctl_name_the_same_ports_with_local_vlan_tags(cloud, ssh):
    model, _ = cloud
    host = model.hosts["cmp-1"]
    show = run(ssh, f"{WRAP} cmp-1 sudo ovs-vsctl show").out
    dp = run(ssh, f"{WRAP} cmp-1 sudo ovs-dpctl show").out
    assert "\n    Bridge br-tun\n" in show
    for port in model.ports_on_host("cmp-1"):
        qvo = dev_name("qvo", port.id)
        assert f'        Port "{qvo}"\n            tag: {host.local_vlans[port.network_id]}\n' in show
        assert re.search(rf"^\tport {host.ofports[qvo]}: {qvo}$", dp, re.M)
    for peer in model.hosts.values():
        if peer.name != "cmp-1" and peer.tunnel_ip and set(model.hosts_of_network(
                model.ports_on_host("cmp-1")[0].network_id)) & {peer.name}:
            assert f'remote_ip="{peer.tunnel_ip}"' in show


def test_brctl_and_virsh_show_each_instance_with_its_ports(cloud, ssh):
    model, _ = cloud
    brctl = run(ssh, f"{WRAP} cmp-1 sudo brctl show").out
    assert "\n\n" not in brctl
    listing = run(ssh, f"{WRAP} cmp-1 sudo virsh list").out.splitlines()
    assert len(listing[1].strip("-")) == 0 and listing[-1] == ""
    ids = [l.split()[0] for l in listing[2:] if l.strip()]
    instances = {i.id: i for i in model.instances_on_host("cmp-1")}
    seen = set()
    for dom_id in ids:
        xml = ET.fromstring(run(ssh, f"{WRAP} cmp-1 sudo virsh dumpxml {dom_id}").out)
        inst = instances[xml.findtext("uuid")]
        seen.add(inst.id)
        assert xml.findtext("name") == inst.domain_name
        for iface, pid in zip(xml.iter("interface"), inst.port_ids):
            port = model.ports[pid]
            assert iface.find("mac").get("address") == port.mac_address
            assert iface.find("target").get("dev") == dev_name("tap", pid)
            assert iface.find("source").get("bridge") == dev_name("qbr", pid)
            assert f"{dev_name('qbr', pid)}\t\t" in brctl and f"\t{dev_name('qvb', pid)}\n" in brctl
    assert seen == set(instances)


def test_tunnel_ip_on_br_mesh_with_exactly_four_spaces(cloud, ssh):
    model, _ = cloud
    text = run(ssh, f"{WRAP} cmp-2 sudo ip address show").out
    assert re.search(rf"^    inet {re.escape(model.hosts['cmp-2'].tunnel_ip)}/", text, re.M)
    section = text.split(f"    inet {model.hosts['cmp-2'].tunnel_ip}/")[0].rsplit("\n", 3)
    assert any(": br-mesh: " in line for line in section)


def test_unknown_command_is_bash_127(ssh):
    r = run(ssh, "frobnicate --now")
    assert (r.out, r.err, r.status) == ("", "bash: frobnicate: command not found\n", 127)


def test_tools_need_root_without_sudo_and_hosts_without_software(cloud, tmp_path):
    model, section = cloud
    from simulator.ssh.shell import Shell
    from simulator.ssh.service import ViewCache
    shell = Shell(ViewCache(model))
    assert "Permission denied" in shell.run("cmp-1", "ovs-vsctl show", root=False).err
    assert shell.run("cmp-1", "sudo ovs-vsctl show", root=False).status == 0
    assert shell.run("cmp-1", "virsh list", root=False).out.count("instance-") == 0
    assert shell.run("ctl-1", "virsh list", root=True).status == 127  # no libvirt on a controller


def test_unknown_host_and_quiet_wrapper(ssh):
    r = run(ssh, f"{WRAP} nosuch-host uname -n")
    assert (r.out, r.err, r.status) == ("", "", 255)
    r = run(ssh, "ssh nosuch-host uname -n")
    assert r.status == 255 and "Could not resolve hostname nosuch-host" in r.err


def test_openssh_client_with_generated_key(cloud):
    model, section = cloud
    r = openssh(section, f"{WRAP} cmp-2 sudo virsh list --all")
    assert r.status == 0, r.err
    names = {l.split()[1] for l in r.out.splitlines()[2:] if l.strip()}
    assert names == {i.domain_name for i in model.instances_on_host("cmp-2")}
    bad = openssh({**section, "key": section["key"] + ".missing"}, "uname -n")
    assert bad.status == 255


def test_wrong_password_is_an_ssh_authentication_failure(cloud):
    with pytest.raises(paramiko.AuthenticationException):
        client(cloud[1], password="not-the-password")


def test_cvim_tunnel_to_a_host_through_the_master(cloud, ssh):
    model, section = cloud
    key = paramiko.RSAKey.from_private_key_file(section["key"])
    channel = ssh.get_transport().open_channel("direct-tcpip", ("cmp-1", 22), ("127.0.0.2", 40000))
    inner = paramiko.SSHClient()
    inner.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    inner.connect("cmp-1", 22, "root", pkey=key, sock=channel, look_for_keys=False, allow_agent=False)
    try:
        assert run(inner, "uname -n").out == "cmp-1\n"
        assert "instance-" in run(inner, "virsh list --all").out
    finally:
        inner.close()
    with pytest.raises(paramiko.ChannelException):
        ssh.get_transport().open_channel("direct-tcpip", ("nosuch", 22), ("127.0.0.2", 40001))
    # an empty target means the master itself, reached through its own address
    own = ssh.get_transport().open_channel("direct-tcpip", (section["host"], 22), ("127.0.0.2", 40002))
    inner = paramiko.SSHClient()
    inner.set_missing_host_key_policy(paramiko.AutoAddPolicy())
    inner.connect(section["host"], 22, "root", pkey=key, sock=own, look_for_keys=False, allow_agent=False)
    try:
        assert run(inner, "uname -n").out == "ctl-1\n"
    finally:
        inner.close()


def test_new_server_shows_up_on_its_host_at_once(cloud, ssh):
    model, _ = cloud
    net = next(n for n in model.networks.values() if not n.external)
    inst = model.create_server("ssh-probe", networks=[net.id], host="cmp-2")
    try:
        port = model.ports[inst.port_ids[0]]
        assert inst.domain_name in run(ssh, f"{WRAP} cmp-2 sudo virsh list").out
        assert dev_name("qvo", port.id) in run(ssh, f"{WRAP} cmp-2 sudo ovs-vsctl show").out
        assert dev_name("tap", port.id) in run(ssh, f"{WRAP} cmp-2 sudo brctl show").out
    finally:
        model.delete_server(inst.id)
    assert inst.domain_name not in run(ssh, f"{WRAP} cmp-2 sudo virsh list --all").out


COMMANDS_4_5 = [
    "uname -n", 'cat /etc/os-release && echo "ARCHITECURE=`arch`"',
    'sudo ls -l /sys/class/net | grep ^l | grep -v "/virtual/"', "sudo ethtool eth0", "sudo ip address show eth1",
    "sudo ls -1 /proc/net/bonding/ 2>&1", "sudo ip netns list", "sudo ovs-vsctl show", "sudo ovs-dpctl show",
    "sudo ip address show", "sudo brctl show", "sudo ip -d -j link show", "sudo bridge fdb show",
    f"{WRAP} cmp-1 sudo virsh list", f"{WRAP} cmp-1 sudo virsh list --all", f"{WRAP} cmp-1 sudo virsh dumpxml 1",
    f"{WRAP} cmp-1 sudo ovs-vsctl list-ifaces br-int",
]


def test_openssh_and_paramiko_get_the_same_answers(cloud, ssh):
    _, section = cloud
    for command in COMMANDS_4_5:
        a, b = run(ssh, command), openssh(section, command)
        assert (a.out, a.err, a.status) == (b.out, b.err, b.status), command
        assert a.err == "" and a.out and a.status == (2 if "bonding" in command else 0), command


def test_sftp_files_land_on_the_host_for_paramiko_and_asyncssh_clients(cloud, ssh):
    _, section = cloud
    sftp = ssh.open_sftp()
    try:
        with sftp.open("/tmp/sftp-probe/a.sh", "wb") as f:
            f.write(b"echo a\n")
        sftp.chmod("/tmp/sftp-probe/a.sh", 0o755)
        attrs = sftp.stat("/tmp/sftp-probe/a.sh")
        assert (attrs.st_size, attrs.st_mode & 0o777) == (7, 0o755)
        assert sftp.listdir("/tmp/sftp-probe") == ["a.sh"] and sftp.normalize("x") == "/root/x"
        with pytest.raises(FileNotFoundError):
            sftp.stat("/tmp/sftp-probe/none")
    finally:
        sftp.close()

    async def upload() -> bytes:
        async with asyncssh.connect(section["host"], section["port"], username="root", password=section["pwd"],
                                    known_hosts=None, config=None) as c, c.start_sftp_client() as s:
            async with s.open("/tmp/sftp-probe/b.sh", "wb") as f:
                await f.write(b"echo b\n")
            await s.chmod("/tmp/sftp-probe/b.sh", 0o700)
            await s.rename("/tmp/sftp-probe/b.sh", "/tmp/sftp-probe/c.sh")
            assert sorted(await s.listdir("/tmp/sftp-probe")) == ["a.sh", "c.sh"]
            async with s.open("/tmp/sftp-probe/c.sh", "rb") as f:
                return await f.read()

    assert asyncio.run(upload()) == b"echo b\n"
    assert run(ssh, "cat /tmp/sftp-probe/a.sh /tmp/sftp-probe/c.sh").out == "echo a\necho b\n"


def test_clients_that_leave_mid_answer_do_not_flood_the_log(cloud, caplog):
    """asyncio warns on every write to a socket whose client has gone; a large scan closing its connections
    would leave thousands of such lines (and a log pipe no one reads would fill and stop the simulator).
    The running server drops that one warning and no other of asyncio's."""
    import logging

    with caplog.at_level(logging.WARNING, logger="asyncio"):
        logging.getLogger("asyncio").warning("socket.send() raised exception.")
        logging.getLogger("asyncio").warning("Executing %s took %.3f seconds", "<Handle>", 0.2)
    assert [r.getMessage() for r in caplog.records if r.name == "asyncio"] == ["Executing <Handle> took 0.200 seconds"]
