"""The project's own OpenStack test bed (tests/acceptance/testbed/) brought up, and how Calipso is pointed at it.

`ACCEPTANCE_NODES` (1 or 2: compute1, plus compute2 in namespaces of the same machine) and `ACCEPTANCE_DRIVER`
(`ovs` or `linuxbridge`) choose the bed; the scripts' README says what each builds and what real clouds taught.
"""

from __future__ import annotations

import os
import subprocess
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

TESTBED = Path(__file__).resolve().parent / "testbed"
SCRIPT = TESTBED / "openstack-testbed.sh"
COMPUTE2 = TESTBED / "compute2.sh"
PASSWORDS = {"admin": os.environ.get("ADMIN_PASS", "ADMIN_PASS"), "db": os.environ.get("DB_PASS", "DB_PASS"),
             "rabbit": os.environ.get("RABBIT_PASS", "RABBIT_PASS")}
RABBIT = {"user": os.environ.get("RABBIT_USER", "ostruth"), "vhost": os.environ.get("RABBIT_VHOST", "ostruth")}
#: how Calipso's CLI section reaches each compute host, and each host's tunnel endpoint
ADDRESSES = {"compute1": "127.0.0.1", "compute2": "192.168.222.2"}
AGENTS = {"ovs": "Open vSwitch agent", "linuxbridge": "Linux bridge agent"}
MECHANISM = {"ovs": "OVS", "linuxbridge": "LXB"}


@dataclass(frozen=True)
class Bed:
    nodes: int
    driver: str

    @property
    def hosts(self) -> list[str]:
        return ["compute1", "compute2"][: self.nodes]

    def env(self) -> dict:
        return {**os.environ, "DRIVER": self.driver, "NODES": str(self.nodes)}

    def local_ip(self, host: str) -> str:
        """The host's tunnel endpoint (what br-tun's remote_ip or a vxlan forwarding entry names)."""
        if host == "compute2":
            return "192.168.222.2"
        if self.nodes == 2:
            return "192.168.222.1"
        return "127.0.0.1" if self.driver == "ovs" else "192.168.223.1"

    def runner(self, host: str):
        """A function running a command on the host (compute2: inside its namespaces), returning its stdout."""
        prefix = [] if host == "compute1" else ["bash", str(COMPUTE2), "x"]

        def run(args: list[str]) -> str:
            res = subprocess.run(prefix + args, capture_output=True, text=True, timeout=120, env=self.env())
            return res.stdout if res.returncode == 0 else ""
        return run


def from_environment() -> Bed:
    nodes, driver = os.environ.get("ACCEPTANCE_NODES", "1"), os.environ.get("ACCEPTANCE_DRIVER", "ovs")
    if nodes not in ("1", "2"):
        raise SystemExit(f"ACCEPTANCE_NODES must be 1 or 2, not {nodes!r}")
    if driver not in AGENTS:
        raise SystemExit(f"ACCEPTANCE_DRIVER must be ovs or linuxbridge, not {driver!r}")
    return Bed(int(nodes), driver)


def sh(bed: Bed, *args: str, timeout: float = 3600) -> str:
    res = subprocess.run(list(args), capture_output=True, text=True, timeout=timeout, env=bed.env())
    if res.returncode != 0:
        raise RuntimeError(f"{' '.join(args)} failed ({res.returncode}): {(res.stderr or res.stdout)[-1500:]}")
    return res.stdout


def keystone_up() -> bool:
    try:
        urllib.request.urlopen("http://127.0.0.1:5000/v3", timeout=3)
        return True
    except OSError:
        return False


def ensure_up(bed: Bed, log) -> None:
    """Install (once), then start what does not answer yet: compute2's network first, compute1, compute2."""
    agent_bin = "/usr/bin/neutron-openvswitch-agent" if bed.driver == "ovs" else "/usr/bin/neutron-linuxbridge-agent"
    if not Path("/usr/bin/neutron-server").exists() or not Path(agent_bin).exists():
        log(f"installing the test bed's packages (apt, {bed.driver})")
        sh(bed, "bash", str(SCRIPT), "install")
    if bed.nodes == 2:
        sh(bed, "bash", str(COMPUTE2), "net")
    if not keystone_up():
        log(f"starting the test bed: {bed.nodes} node(s), {bed.driver} (2-5 minutes, more on a loaded machine)")
        sh(bed, "bash", str(SCRIPT), "up")
    if bed.nodes == 2:
        log("starting compute2")
        sh(bed, "bash", str(COMPUTE2), "up")


def connect():
    import openstack
    return openstack.connect(auth_url="http://127.0.0.1:5000/v3", username="admin", password=PASSWORDS["admin"],
                             project_name="admin", user_domain_name="Default", project_domain_name="Default",
                             region_name="RegionOne")


def wait_agents(bed: Bed, sdk, timeout: float = 300) -> None:
    want = {(AGENTS[bed.driver], h) for h in bed.hosts} | {("DHCP agent", "compute1"), ("L3 agent", "compute1")}
    deadline = time.monotonic() + timeout
    while True:
        alive = {(a.agent_type, a.host) for a in sdk.network.agents() if a.is_alive}
        if want <= alive:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"neutron agents not alive after {timeout:.0f} s: {sorted(want - alive)} missing; a bed "
                               "started with other ACCEPTANCE_NODES or ACCEPTANCE_DRIVER is stopped with its own "
                               "NODES/DRIVER and `openstack-testbed.sh down` (and `wipe` to change the driver)")
        time.sleep(3)


def environment_config(name: str, bed: Bed) -> dict:
    """Calipso's configuration of the bed: each compute host reached by its address (key and user from the
    section), the release written as an operator might."""
    return {"name": name, "type": "environment", "environment_type": "OpenStack", "distribution": "Debian",
            "distribution_version": "Zed", "mechanism_drivers": [MECHANISM[bed.driver]], "type_drivers": "vxlan",
            "listen": True, "aci_enabled": False, "configuration": [
                {"name": "OpenStack", "host": "127.0.0.1", "port": 5000, "user": "admin", "pwd": PASSWORDS["admin"]},
                {"name": "mysql", "host": "127.0.0.1", "port": 3306, "user": "openstack", "pwd": PASSWORDS["db"]},
                {"name": "CLI", "host": "127.0.0.1", "user": "root", "key": "/root/.ssh/testbed_id",
                 "host_key_policy": "accept-new", "hosts": {h: {"host": ADDRESSES[h]} for h in bed.hosts}},
                {"name": "AMQP", "host": "127.0.0.1", "port": 5672, "user": RABBIT["user"], "pwd": PASSWORDS["rabbit"],
                 "vhost": RABBIT["vhost"]}]}
