"""vim-contract §7.2, the rows the REST facade does not take part in: MySQL, the hosts' shells and the APIC
agree on projects, routers and their namespaces, OVS ports and datapath numbers, local VLAN tags, tunnel
ports, pNIC names and MACs, libvirt devices and Nova's network_info, LXB bridges and VPP interfaces.
Parsed the way the scanner parses them, for each mechanism driver x type driver."""

from __future__ import annotations

import ipaddress
import json
import re

import pymysql
import pytest
import requests

from simulator.apic.server import APICServer
from simulator.faults import Conditions
from simulator.model import Params, build_model
from simulator.mysql.server import MySQLServer
from simulator.options import SimOptions
from simulator.ssh.service import SSHServer
from tests.integration.simulator.sshkit import client, run

VARIANTS = [("ovs", "vxlan", "current"), ("ovs", "vlan", "old"), ("ovs", "gre", "current"), ("ovs", "flat", "old"),
            ("linuxbridge", "vxlan", "current"), ("linuxbridge", "vlan", "current"), ("vpp", "vlan", "current"),
            ("vpp", "vxlan", "old")]


class Cloud:
    def __init__(self, tmp, driver, types, release):
        self.model = build_model(Params(mechanism_driver=driver, type_driver=types, computes=2, instances=3,
                                        networks=2, routers=1, seed=13, release=release, aci=True))
        opts = SimOptions(state_dir=tmp, conditions=Conditions(), aci=True, extra={"release": release})
        self.servers = [MySQLServer(self.model, opts), SSHServer(self.model, opts), APICServer(self.model, opts)]
        for s in self.servers:
            s.start()
        db, cli, aci = (s.config_section() for s in self.servers)
        self.db = pymysql.connect(host=db["host"], port=db["port"], user=db["user"], password=db["pwd"],
                                  database="nova", cursorclass=pymysql.cursors.DictCursor)
        self.ssh = client(cli)
        self.apic = requests.Session()
        self.apic_base = f"http://{aci['host']}:{aci['port']}/api"
        self.apic.post(f"{self.apic_base}/aaaLogin.json",
                       json={"aaaUser": {"attributes": {"name": aci["user"], "pwd": aci["pwd"]}}}, timeout=5)
        self.master = run(self.ssh, "uname -n").out.strip()

    def sql(self, query: str, *args) -> list[dict]:
        with self.db.cursor() as c:
            c.execute(query, args or None)
            return list(c.fetchall())

    def sh(self, host: str, command: str) -> str:
        full = command if host == self.master else f"ssh -q -o StrictHostKeyChecking=no {host} sudo {command}"
        r = run(self.ssh, full)
        assert r.status == 0 and r.err == "", (full, r.err)
        return r.out

    def hosts(self, kind: str) -> list[str]:
        return [h.name for h in self.model.hosts.values() if getattr(h, f"is_{kind}")]

    def close(self):
        self.db.close()
        self.ssh.close()
        for s in reversed(self.servers):
            s.stop()


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: "-".join(v))
def cloud(request, tmp_path_factory):
    c = Cloud(tmp_path_factory.mktemp("consistency"), *request.param)
    yield c
    c.close()


def _sections(text: str) -> dict[str, list[str]]:
    """`ip address show` / `ip link show` output -> {interface name without @peer: its lines}."""
    out: dict[str, list[str]] = {}
    name = None
    for line in text.splitlines():
        m = re.match(r"^\d+: ([^:@]+)(?:@[^:]+)?: ", line)
        if m:
            name = m.group(1)
            out[name] = [line]
        elif name:
            out[name].append(line)
    return out


def test_projects_agree_between_keystone_rows_and_instances(cloud):
    ids = {r["id"]: r["name"] for r in cloud.sql("SELECT id, name FROM keystone.project WHERE is_domain = 0")}
    assert ids == {p.id: p.name for p in cloud.model.projects.values()}
    for r in cloud.sql("SELECT project_id FROM nova.instances WHERE deleted = 0"):
        assert r["project_id"] in ids


def test_namespaces_match_networks_routers_and_cidrs(cloud):
    cidrs = {r["cidr"]: r["network_id"] for r in cloud.sql("SELECT cidr, network_id FROM neutron.subnets")}
    for host in cloud.hosts("network"):
        for line in cloud.sh(host, "ip netns list").splitlines():
            ns = line.split(" ")[0]
            kind, _, ident = ns.partition("-")
            if kind == "qdhcp":
                assert cloud.sql("SELECT name FROM neutron.networks WHERE id = %s", ident)
            else:
                (router,) = cloud.sql("SELECT * FROM neutron.routers WHERE id = %s", ident)
            text = cloud.sh(host, f"ip netns exec {ns} ip address show")
            for name, lines in _sections(text).items():
                if name == "lo":
                    continue
                mac = next(l.split()[1] for l in lines if l.strip().startswith("link/ether"))
                (port,) = cloud.sql("SELECT id, network_id, device_owner FROM neutron.ports WHERE mac_address = %s", mac)
                assert name[3:] == port["id"][:11]
                inet = next(l.split()[1] for l in lines if l.startswith("    inet "))
                net = ipaddress.ip_interface(inet).network
                assert cidrs[str(net)] == port["network_id"]  # the vService vNIC's network is found by CIDR
                if name.startswith("qg-"):
                    assert router["gw_port_id"] == port["id"]


def test_ovs_ports_datapath_tags_and_tunnels(cloud):
    if cloud.model.params.mechanism_driver != "ovs":
        pytest.skip("OVS only")
    agents = {r["host"]: json.loads(r["configurations"]) for r in cloud.sql(
        "SELECT host, configurations FROM neutron.agents WHERE agent_type = 'Open vSwitch agent'")}
    endpoints = {r["host"]: r["ip_address"] for r in cloud.sql("SELECT * FROM neutron.ml2_vxlan_endpoints")} | {
        r["host"]: r["ip_address"] for r in cloud.sql("SELECT * FROM neutron.ml2_gre_endpoints")}
    ports = {r["id"][:11]: r for r in cloud.sql("SELECT id, network_id FROM neutron.ports")}
    for host, conf in agents.items():
        show, dp = cloud.sh(host, "ovs-vsctl show"), cloud.sh(host, "ovs-dpctl show")
        dp_ports = dict(re.findall(r"^\tport (\d+): (\S+)(?: \(internal\))?$", dp, re.M))
        names = set(dp_ports.values())
        tags: dict[str, set[str]] = {}
        current = None
        for line in show.splitlines():
            if line.startswith("        Port "):
                current = line.split()[1].strip('"')
            elif line.startswith("            tag: ") and current:
                port = ports[current[3:]]
                tags.setdefault(port["network_id"], set()).add(line.split()[1])
                assert current in names  # every tagged br-int port is a datapath port
        assert all(len(t) == 1 for t in tags.values())  # one local VLAN per network on a host
        tunnel_ip = conf["tunneling_ip"]
        if not tunnel_ip:
            assert "    Bridge br-tun" not in show.splitlines()
            continue
        assert endpoints[host] == tunnel_ip
        for remote in re.findall(r'remote_ip="([\d.]+)"', show):
            kind = cloud.model.params.type_driver
            hexname = kind + "-" + "".join(f"{int(o):02x}" for o in remote.split("."))
            assert f"Port {hexname}\n" in show.replace('"', "")
            assert remote in endpoints.values() and remote != tunnel_ip
        assert f'local_ip="{tunnel_ip}"' in show or "br-tun" not in show


def test_pnic_names_macs_and_apic_endpoints(cloud):
    for host in cloud.model.hosts:
        listing = cloud.sh(host, 'ls -l /sys/class/net | grep ^l | grep -v "/virtual/"')
        names = [l.rsplit("/", 1)[1] for l in listing.splitlines()]
        assert names
        for name in names:
            lines = cloud.sh(host, f"ip address show {name}").splitlines()
            mac = lines[1].split()[1]
            assert cloud.sh(host, f"ethtool {name}").splitlines()[-1] == "\tLink detected: yes"
            flt = f'and(eq(epmMacEp.addr,"{mac}"),wcard(epmMacEp.ifId,"eth"))'
            found = cloud.apic.get(f"{cloud.apic_base}/class/epmMacEp.json", params={"query-target-filter": flt},
                                   timeout=5).json()["imdata"]
            assert [e["epmMacEp"]["attributes"]["addr"].lower() for e in found] == [mac]


def test_libvirt_devices_match_network_info(cloud):
    rows = cloud.sql("SELECT i.uuid, i.host, ic.network_info FROM nova.instances i "
                     "JOIN nova.instance_info_caches ic ON i.uuid = ic.instance_uuid WHERE i.deleted = 0")
    driver = cloud.model.params.mechanism_driver
    for r in rows:
        listing = cloud.sh(r["host"], "virsh list --all").splitlines()[2:]
        names = [l.split()[1] for l in listing if l.strip()]
        xml = next(x for x in (cloud.sh(r["host"], f"virsh dumpxml {n}") for n in names) if f"<uuid>{r['uuid']}</uuid>" in x)
        vifs = json.loads(r["network_info"])
        macs = re.findall(r"<mac address='([^']+)'/>", xml)
        assert macs == [v["address"] for v in vifs]
        if driver in ("ovs", "linuxbridge"):
            assert re.findall(r"<target dev='(tap[^']+)'/>", xml) == [v["devname"] for v in vifs]
            brctl = cloud.sh(r["host"], "brctl show")
            for v in vifs:
                assert v["devname"] in brctl
        else:
            hw = cloud.sh(r["host"], "vppctl show hardware-interfaces")
            mode = cloud.sh(r["host"], "vppctl show mode")
            for v in vifs:
                block = hw.split(f"Ethernet address {v['address']}")[0].rsplit("\n", 2)[-2]
                iface = block.split()[0]
                assert iface.startswith("VirtualEthernet") and f"l2 bridge {iface} bd_id " in mode


def test_linuxbridge_segments(cloud):
    if cloud.model.params.mechanism_driver != "linuxbridge":
        pytest.skip("Linux bridge only")
    segments = {r["network_id"]: r for r in cloud.sql("SELECT * FROM neutron.networksegments")}
    for host in cloud.hosts("compute") + cloud.hosts("network"):
        brctl = cloud.sh(host, "brctl show")
        detail = cloud.sh(host, "ip -d link show")
        for net_id, seg in segments.items():
            brq = "brq" + net_id[:11]
            if brq not in brctl:
                continue
            if seg["network_type"] == "vxlan":
                assert f"vxlan-{seg['segmentation_id']}" in brctl
                assert f"vxlan id {seg['segmentation_id']} " in detail
            elif seg["network_type"] == "vlan":
                assert f"eth1.{seg['segmentation_id']}" in brctl


def test_linuxbridge_vxlan_flood_entries_name_the_peers_vteps(cloud):
    if cloud.model.params.mechanism_driver != "linuxbridge" or cloud.model.params.type_driver != "vxlan":
        pytest.skip("Linux bridge with VXLAN only")
    endpoints = {r["host"]: r["ip_address"] for r in cloud.sql("SELECT * FROM neutron.ml2_vxlan_endpoints")}
    for host in cloud.hosts("compute"):
        fdb = cloud.sh(host, "bridge fdb show")
        remotes = set(re.findall(r"^00:00:00:00:00:00 dev vxlan-\d+ dst (\S+) self permanent$", fdb, re.M))
        assert remotes and remotes <= set(endpoints.values()) - {endpoints[host]}
        first = cloud.sh(host, "ip -d link show").splitlines()[0]
        assert ": vxlan-" not in first  # [LXB quirk] the OTEP interface must not be listed first
