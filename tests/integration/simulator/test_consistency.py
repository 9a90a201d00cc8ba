"""vim-contract §7.2 across protocols: what Nova/Neutron say over HTTP, the MySQL tables and the hosts'
shells (over SSH) agree on host ids, instance uuids, domain names, port ids, MACs and device names,
for each mechanism driver x type driver. One `Simulation` (every protocol server) per variant."""

from __future__ import annotations

import re

import paramiko
import pymysql
import pytest
import requests

from simulator.faults import Conditions
from simulator.model import Params, build_model
from simulator.options import SimOptions
from simulator.runner import Simulation

VARIANTS = [("ovs", "vxlan"), ("ovs", "vlan"), ("ovs", "gre"), ("ovs", "flat"), ("linuxbridge", "vxlan"),
            ("linuxbridge", "vlan"), ("vpp", "vlan"), ("vpp", "vxlan")]


def section(doc: dict, name: str) -> dict:
    return next(s for s in doc["configuration"] if s["name"] == name)


class Facades:
    def __init__(self, doc: dict):
        ks = section(doc, "OpenStack")
        r = requests.post(f"http://{ks['host']}:{ks['port']}/v3/auth/tokens", json={"auth": {"identity": {
            "methods": ["password"], "password": {"user": {"name": ks["user"], "password": ks["pwd"],
                                                           "domain": {"id": "default"}}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}, timeout=5)
        self.headers = {"X-Auth-Token": r.headers["X-Subject-Token"]}
        catalog = {s["type"]: s["endpoints"][0]["url"] for s in r.json()["token"]["catalog"]}
        self.nova, self.neutron = catalog["compute"], catalog["network"]
        db = section(doc, "mysql")
        self.db = pymysql.connect(host=db["host"], port=db["port"], user=db["user"], password=db["pwd"],
                                  database="nova", cursorclass=pymysql.cursors.DictCursor)
        cli = section(doc, "CLI")
        self.ssh = paramiko.SSHClient()
        self.ssh.set_missing_host_key_policy(paramiko.AutoAddPolicy())
        self.ssh.connect(cli["host"], cli["port"], cli["user"], password=cli["pwd"], look_for_keys=False,
                         allow_agent=False, timeout=5)
        self.master = None

    def get(self, url: str) -> dict:
        r = requests.get(url, headers=self.headers, timeout=10)
        assert r.status_code == 200, (url, r.status_code)
        return r.json()

    def sql(self, query: str) -> list[dict]:
        with self.db.cursor() as c:
            c.execute(query)
            return list(c.fetchall())

    def sh(self, host: str, command: str) -> str:
        if self.master is None:
            _, out, _ = self.ssh.exec_command("uname -n")
            self.master = out.read().decode().strip()
        full = command if host == self.master else f"ssh -q -o StrictHostKeyChecking=no {host} sudo {command}"
        _, out, err = self.ssh.exec_command(full, timeout=10)
        text = out.read().decode()
        assert out.channel.recv_exit_status() == 0, (full, err.read().decode())
        return text

    def close(self):
        self.db.close()
        self.ssh.close()


@pytest.fixture(scope="module", params=VARIANTS, ids=lambda v: f"{v[0]}-{v[1]}")
def variant(request, tmp_path_factory):
    driver, types = request.param
    model = build_model(Params(mechanism_driver=driver, type_driver=types, computes=2, instances=3, networks=2,
                               routers=1, seed=8))
    sim = Simulation(model, SimOptions(state_dir=tmp_path_factory.mktemp(f"sim-{driver}-{types}"),
                                       conditions=Conditions(), extra={"release": "current"}))
    doc = sim.start()
    facades = Facades(doc)
    yield model, facades
    facades.close()
    sim.stop()


def test_hosts_instances_and_domains_agree(variant):
    model, f = variant
    zones = f.get(f.nova + "/os-availability-zone/detail")["availabilityZoneInfo"]
    api_hosts = {h for z in zones for h in z["hosts"]}
    assert api_hosts == set(model.hosts)
    rows = f.sql("SELECT DISTINCT i.uuid AS id, i.display_name AS name, i.host AS host, host_ip AS ip_address, "
                 "network_info, project_id FROM nova.instances i "
                 "JOIN nova.instance_info_caches ic ON i.uuid = ic.instance_uuid "
                 "JOIN nova.compute_nodes cn ON i.node = cn.hypervisor_hostname WHERE i.deleted = 0")
    db = {r["id"]: r for r in rows}
    for host in (h for h in model.hosts.values() if h.is_compute):
        listed = f.get(f"{f.nova}/os-hypervisors/{host.name}/servers")["hypervisors"][0].get("servers", [])
        virsh = f.sh(host.name, "virsh list --all")
        for s in listed:
            assert db[s["uuid"]]["host"] == host.name and db[s["uuid"]]["ip_address"] == host.ip
            assert re.search(rf"^\s*\d+\s+{s['name']}\s+running", virsh, re.M), virsh
            xml = f.sh(host.name, f"virsh dumpxml {s['name']}")
            assert f"<uuid>{s['uuid']}</uuid>" in xml
            server = f.get(f"{f.nova}/servers/{s['uuid']}")["server"]
            for net, addrs in server["addresses"].items():
                for a in addrs:
                    assert f"<mac address='{a['OS-EXT-IPS-MAC:mac_addr']}'/>" in xml
                    assert a["OS-EXT-IPS-MAC:mac_addr"] in db[s["uuid"]]["network_info"]


def test_ports_macs_and_device_names_agree(variant):
    model, f = variant
    ports = f.get(f.neutron + "/v2.0/ports")["ports"]
    db_ports = {r["id"]: r for r in f.sql("SELECT id, mac_address, device_owner, device_id FROM neutron.ports")}
    driver = model.params.mechanism_driver
    for p in ports:
        assert db_ports[p["id"]]["mac_address"] == p["mac_address"]
        host = p["binding:host_id"]
        if not host:
            continue
        short = p["id"][:11]
        if p["device_owner"].startswith("compute"):
            if driver == "ovs":
                assert f"qvo{short}" in f.sh(host, "ovs-vsctl show")
                assert f"tap{short}" in f.sh(host, "brctl show")
            elif driver == "linuxbridge":
                assert f"tap{short}" in f.sh(host, "brctl show")
            else:
                assert p["mac_address"] in f.sh(host, "vppctl show hardware-interfaces")
        elif p["device_owner"] in ("network:dhcp", "network:router_interface", "network:router_gateway"):
            ns = (f"qdhcp-{p['network_id']}" if p["device_owner"] == "network:dhcp"
                  else f"qrouter-{p['device_id']}")
            assert ns in f.sh(host, "ip netns list")
            out = f.sh(host, f"ip netns exec {ns} ip address show")
            assert p["mac_address"] in out and p["fixed_ips"][0]["ip_address"] in out


def test_agents_and_tunnel_endpoints_agree(variant):
    model, f = variant
    agents = f.get(f.neutron + "/v2.0/agents")["agents"]
    rows = f.sql("SELECT id, agent_type, host FROM neutron.agents")
    assert {(a["id"], a["agent_type"], a["host"]) for a in agents} == {
        (r["id"], r["agent_type"], r["host"]) for r in rows}
    if model.params.type_driver != "vxlan" or model.params.mechanism_driver == "vpp":
        return
    endpoints = {r["host"]: r["ip_address"] for r in f.sql("SELECT * FROM neutron.ml2_vxlan_endpoints")}
    for a in agents:
        ip = a["configurations"].get("tunneling_ip")
        if ip:
            assert endpoints[a["host"]] == ip
            assert re.search(rf"^    inet {re.escape(ip)}/", f.sh(a["host"], "ip address show"), re.M)
