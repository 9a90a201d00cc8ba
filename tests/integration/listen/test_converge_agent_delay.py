"""The listener converges when the cloud's agents lag behind its notifications.

The simulated cloud plumbs hosts `--agent-delay 2` seconds after each change (as the Zed L3 agent
does a router interface 1-5 s after `router.interface.create`). With no later event to help it, the
listener's store must still come to show the router's new interface, because the handler rescans
its scope again until the host shows what the API says. As on the real Zed, the router's port is
not even bound to a host when the notification comes: the L3 agent binds it when it plumbs it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid

import openstack
import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.inventory import Inventory
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from listen.manager import Manager
from tests.integration.listen.support import full_scan

ENV = "simdelay"


@pytest.fixture(scope="module")
def delayed_cloud(tmp_path_factory, store_uri, calipso_home):
    state = tmp_path_factory.mktemp("simdelay")
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home)}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "sim", "--state-dir", str(state), "--hosts", "2",
                             "--name", ENV, "--seed", "7", "--agent-delay", "2", "--mixed-networks"],
                            env=env, stdout=subprocess.DEVNULL, stderr=open(state / "sim.log", "wb"))
    config = state / "environment_config.json"
    deadline = time.monotonic() + 90
    while not config.exists():
        assert proc.poll() is None, (state / "sim.log").read_text()[-2000:]
        assert time.monotonic() < deadline, "the simulated cloud did not start"
        time.sleep(0.2)
    doc = json.loads(config.read_text())
    for s in doc["configuration"]:
        if s["name"] == "CLI":
            s["host_key_policy"] = "accept-any"   # other tests' clouds use the same host names
    store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test store", embedded=True))
    init_db(store)
    EnvironmentConfigs(store).add(dict(doc))
    from scan.clients import build_clients
    full_scan(store, ENV, build_clients)
    manager = Manager(store, interval=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=manager.run, args=(stop,), daemon=True)
    thread.start()
    os_section = next(s for s in doc["configuration"] if s["name"] == "OpenStack")
    sdk = openstack.connect(auth_url=f"http://127.0.0.1:{os_section['port']}/v3", username=os_section["user"],
                            password=os_section["pwd"], project_name="admin", user_domain_id="default",
                            project_domain_id="default", region_name="RegionOne")
    deadline = time.monotonic() + 20
    while EnvironmentConfigs(store).get(ENV).get("operational") != "running":
        assert time.monotonic() < deadline, "the listener did not start"
        time.sleep(0.1)
    yield store, sdk
    stop.set()
    thread.join(20)
    proc.terminate()
    proc.wait(20)
    store.client.drop_database(store.db.name)


def test_router_interface_plumbed_late_is_followed_without_another_event(delayed_cloud):
    store, sdk = delayed_cloud
    net = sdk.network.create_network(name="late-net")
    sub = sdk.network.create_subnet(network_id=net.id, cidr="10.88.0.0/24", ip_version=4, name="late-sub")
    dhcp = [p.mac_address for p in sdk.network.ports(network_id=net.id, device_owner="network:dhcp")]
    assert dhcp, "the simulated cloud gave the new subnet no DHCP port"
    deadline = time.monotonic() + 40   # the network settled first: its own lagging ports give no retry to lean on
    while not all(m in {v.get("mac_address") for v in Inventory(store).of_type(ENV, "vnic")} for m in dhcp):
        assert time.monotonic() < deadline, "the new network's DHCP port never reached the store"
        time.sleep(0.2)
    router = next(r for r in sdk.network.routers())
    started = time.monotonic()
    sdk.network.add_interface_to_router(router, subnet_id=sub.id)
    port = next(p for p in sdk.network.ports(device_id=router.id) if p.network_id == net.id)

    def shown() -> bool:
        vnics = [v for v in Inventory(store).of_type(ENV, "vnic") if v.get("mac_address") == port.mac_address]
        return bool(vnics) and vnics[0].get("network") == net.id

    deadline = started + 40
    while not shown():
        assert time.monotonic() < deadline, "the router's new interface never reached the store"
        time.sleep(0.2)
    took = time.monotonic() - started
    assert took >= 1.5, "shown before the agents plumbed it: the delay is not simulated"
    vservice = next(d for d in Inventory(store).of_type(ENV, "vservice") if d["id"].endswith(f"qrouter-{router.id}"))
    assert net.id in vservice["network"]

    def linked() -> bool:
        return any(l["source_id"] == vservice["id"] and (l.get("attributes") or {}).get("network") == net.id
                   for l in store["links"].find({"environment": ENV, "link_type": "vservice-vnic"}))

    # one apply writes the objects, then their links: a reader can come between the two writes
    deadline = time.monotonic() + 10
    while not linked():
        assert time.monotonic() < deadline, "the router's vService is not linked to its new interface"
        time.sleep(0.2)


def test_power_events_and_scans_speak_one_status_vocabulary(delayed_cloud):
    store, sdk = delayed_cloud
    server = next(s for s in sdk.compute.servers())
    sdk.compute.stop_server(server)
    deadline = time.monotonic() + 30
    while Inventory(store).get(ENV, server.id, "instance")["status"] != "SHUTOFF":
        assert time.monotonic() < deadline, "the stop never reached the store"
        time.sleep(0.2)
    assert Inventory(store).get(ENV, server.id, "instance")["OS-EXT-STS:vm_state"] == "stopped"
    sdk.compute.start_server(server)
