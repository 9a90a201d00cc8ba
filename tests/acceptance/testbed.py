"""The real OpenStack of ../shared/testbed brought up and given a mixed topology (acceptance only).

What it builds on top of the test bed's own `demo` (net1 vxlan, net-vlan, ext-net flat, router1,
port1, vm1): a subnet on the VLAN network, net2 (vxlan) on router1, net1-twin (vxlan, net1's CIDR,
DHCP only), vm2 on net1+net2, vm3 on the VLAN network only, and vm4 stopped. Everything is made through openstacksdk, as an operator would.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from pathlib import Path

import openstack

_ROOT = Path(__file__).resolve().parents[2]
SCRIPT = Path(os.environ.get("CALIPSO_TESTBED") or next(
    (str(p) for p in (_ROOT.parent / "shared/testbed/openstack-testbed.sh", Path("/work/shared/testbed/openstack-testbed.sh"))
     if p.exists()), _ROOT.parent / "shared/testbed/openstack-testbed.sh"))
AGENT_INI = Path("/etc/neutron/plugins/ml2/openvswitch_agent.ini")
PASSWORDS = {"admin": os.environ.get("ADMIN_PASS", "ADMIN_PASS"), "db": os.environ.get("DB_PASS", "DB_PASS"),
             "rabbit": os.environ.get("RABBIT_PASS", "RABBIT_PASS")}
RABBIT = {"user": os.environ.get("RABBIT_USER", "ostruth"), "vhost": os.environ.get("RABBIT_VHOST", "ostruth")}


def sh(*args: str, check: bool = True, timeout: float = 1800) -> str:
    res = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout)
    if check and res.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({res.returncode}): {(res.stderr or res.stdout)[-1500:]}")
    return res.stdout


def keystone_up() -> bool:
    try:
        urllib.request.urlopen("http://127.0.0.1:5000/v3", timeout=3)
        return True
    except OSError:
        return False


def ensure_up(log) -> None:
    """install + up (skipped when Keystone already answers), then demo; repairs the agent file if needed."""
    if not keystone_up():
        if not Path("/usr/bin/neutron-server").exists():
            log("installing the test bed's packages (apt)")
            sh("bash", str(SCRIPT), "install", timeout=3600)
        log("starting the test bed (2-5 minutes)")
        sh("bash", str(SCRIPT), "up", timeout=3600)
    repair_agent_ini(log)
    log("the test bed's demo topology")
    sh("bash", str(SCRIPT), "demo", timeout=1800)


def repair_agent_ini(log) -> None:
    """The test bed writes the OVS agent file with an unquoted heredoc whose comment holds `brctl show`
    in backticks: where brctl lists bridges, their lines land in the file and the agent cannot parse
    it. Drop such lines and restart the agent (the test bed's own start command)."""
    if not AGENT_INI.exists():
        return
    lines = AGENT_INI.read_text().splitlines()
    good = [l for l in lines if not l.strip() or l.lstrip().startswith(("#", "[", ";")) or "=" in l or ":" in l]
    if good == lines:
        return
    log(f"repairing {AGENT_INI} ({len(lines) - len(good)} stray line(s) from the test bed's heredoc)")
    AGENT_INI.write_text("\n".join(good) + "\n")
    pid = Path("/run/testbed/neutron-openvswitch-agent.pid")
    if pid.exists():
        subprocess.run(["kill", pid.read_text().strip()], check=False)
        pid.unlink(missing_ok=True)
    sh("start-stop-daemon", "--start", "--background", "--make-pidfile", "--pidfile", str(pid), "--chuid", "neutron",
       "--chdir", "/var/lib/neutron", "--output", "/var/log/neutron/neutron-openvswitch-agent.out", "--startas",
       "/bin/sh", "--", "-c", "exec /usr/bin/neutron-openvswitch-agent --config-file /etc/neutron/neutron.conf "
       f"--config-file {AGENT_INI} --log-file /var/log/neutron/neutron-openvswitch-agent.log")


def connect():
    return openstack.connect(auth_url="http://127.0.0.1:5000/v3", username="admin", password=PASSWORDS["admin"],
                             project_name="admin", user_domain_name="Default", project_domain_name="Default",
                             region_name="RegionOne")


def wait_agents(sdk, log, timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while True:
        alive = {a.agent_type for a in sdk.network.agents() if a.is_alive}
        if {"Open vSwitch agent", "DHCP agent", "L3 agent"} <= alive:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"neutron agents not alive after {timeout:.0f} s: {sorted(alive)}")
        time.sleep(3)


def _server(sdk, name: str, nets: list, log):
    s = sdk.compute.find_server(name)
    if s is not None:
        return s     # from an earlier run (vm4 may be stopped by now)
    log(f"booting {name} on {', '.join(n.name for n in nets)}")
    s = sdk.compute.create_server(name=name, flavor_id=sdk.compute.find_flavor("m1.tiny").id,
                                  image_id=sdk.image.find_image("fake-image").id, networks=[{"uuid": n.id} for n in nets])
    return sdk.compute.wait_for_server(s, wait=600, interval=3)


def mixed_topology(sdk, log) -> dict:
    """The servers and networks of the acceptance topology (idempotent: reuses what exists)."""
    net1, vlan, ext = (sdk.network.find_network(n) for n in ("net1", "net-vlan", "ext-net"))
    if not list(sdk.network.subnets(network_id=vlan.id)):
        sdk.network.create_subnet(network_id=vlan.id, cidr="10.0.2.0/24", ip_version=4, name="vlan-subnet")
    net2 = sdk.network.find_network("net2") or sdk.network.create_network(name="net2")
    sub2 = next(iter(sdk.network.subnets(network_id=net2.id)), None) or sdk.network.create_subnet(
        network_id=net2.id, cidr="10.0.1.0/24", ip_version=4, name="subnet2")
    twin = sdk.network.find_network("net1-twin") or sdk.network.create_network(name="net1-twin")
    if not list(sdk.network.subnets(network_id=twin.id)):   # net1's CIDR again, as projects number alike
        sdk.network.create_subnet(network_id=twin.id, cidr="10.0.0.0/24", ip_version=4, name="twin-subnet")
    router = sdk.network.find_router("router1")
    if not any(p.network_id == net2.id for p in sdk.network.ports(device_id=router.id)):
        sdk.network.add_interface_to_router(router, subnet_id=sub2.id)
    servers = {"vm1": sdk.compute.find_server("vm1"), "vm2": _server(sdk, "vm2", [net1, net2], log),
               "vm3": _server(sdk, "vm3", [vlan], log), "vm4": _server(sdk, "vm4", [net1], log)}
    vm4 = sdk.compute.get_server(servers["vm4"].id)
    if vm4.status != "SHUTOFF":
        sdk.compute.stop_server(vm4)
        sdk.compute.wait_for_server(vm4, status="SHUTOFF", wait=300, interval=3)
    return {"networks": [net1, net2, twin, vlan, ext], "router": router}


def environment_config(name: str) -> dict:
    """Calipso's configuration of the test bed: the host id (compute1) is reached by address, its entry
    naming only the address (key and user come from the section); release written as the operator might."""
    return {"name": name, "type": "environment", "environment_type": "OpenStack", "distribution": "Debian",
            "distribution_version": "Zed", "mechanism_drivers": ["OVS"], "type_drivers": "vxlan", "listen": True,
            "aci_enabled": False, "configuration": [
                {"name": "OpenStack", "host": "127.0.0.1", "port": 5000, "user": "admin", "pwd": PASSWORDS["admin"]},
                {"name": "mysql", "host": "127.0.0.1", "port": 3306, "user": "openstack", "pwd": PASSWORDS["db"]},
                {"name": "CLI", "host": "127.0.0.1", "user": "root", "key": "/root/.ssh/testbed_id",
                 "host_key_policy": "accept-new", "hosts": {"compute1": {"host": "127.0.0.1"}}},
                {"name": "AMQP", "host": "127.0.0.1", "port": 5672, "user": RABBIT["user"], "pwd": PASSWORDS["rabbit"],
                 "vhost": RABBIT["vhost"]}]}
