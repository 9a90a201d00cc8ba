"""`calipso listen` following a simulated cloud changed through openstacksdk: after each change, the
listener's store equals a fresh full scan of the same cloud (into another database).

The simulated cloud runs as `calipso sim` (real Keystone/Nova/Neutron HTTP, MySQL wire protocol,
SSH, and its filesystem AMQP bus); the listener runs under the real manager, started by the
environment's `listen: true`, exactly as `calipso listen` runs it.
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
from tests.integration.listen.support import diff, full_scan, snapshot

ENV = "simlisten"


def _store(uri: str) -> Store:
    name = f"t_{uuid.uuid4().hex[:12]}"
    s = Store.connect(StoreLocation(f"{uri}{name}", "test store", embedded=True))
    init_db(s)
    return s


@pytest.fixture(scope="module")
def cloud(tmp_path_factory, store_uri, calipso_home):
    state = tmp_path_factory.mktemp("sim")
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home)}
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "sim", "--state-dir", str(state), "--hosts", "2",
                             "--name", ENV, "--seed", "5"], env=env, stdout=subprocess.DEVNULL,
                            stderr=open(state / "sim.log", "wb"))
    config = state / "environment_config.json"
    deadline = time.monotonic() + 90
    while not config.exists():
        assert proc.poll() is None, (state / "sim.log").read_text()[-2000:]
        assert time.monotonic() < deadline, "the simulated cloud did not start"
        time.sleep(0.2)
    doc = json.loads(config.read_text())
    for s in doc["configuration"]:
        if s["name"] == "CLI":
            s["host_key_policy"] = "accept-new"
    yield doc
    proc.terminate()
    proc.wait(20)


@pytest.fixture(scope="module")
def listening(cloud, store_uri):
    store = _store(store_uri)
    EnvironmentConfigs(store).add(dict(cloud))
    full_scan(store, ENV, None or __import__("scan.clients", fromlist=["build_clients"]).build_clients)
    assert EnvironmentConfigs(store).get(ENV)["scanned"] is True
    manager = Manager(store, interval=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=manager.run, args=(stop,), daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while EnvironmentConfigs(store).get(ENV).get("operational") != "running":
        assert time.monotonic() < deadline, "the listener did not start"
        time.sleep(0.1)
    os_section = next(s for s in cloud["configuration"] if s["name"] == "OpenStack")
    sdk = openstack.connect(auth_url=f"http://127.0.0.1:{os_section['port']}/v3", username=os_section["user"],
                            password=os_section["pwd"], project_name="admin", user_domain_id="default",
                            project_domain_id="default", region_name="RegionOne")
    yield store, sdk, manager
    stop.set()
    thread.join(20)
    assert EnvironmentConfigs(store).get(ENV)["operational"] == "stopped"


def eventually(condition, timeout: float = 60.0) -> None:
    """The listener follows the cloud within a bounded time: wait for it, fail past the bound."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            if condition():
                return
        except (KeyError, TypeError):  # the object is not there yet
            pass
        assert time.monotonic() < deadline, "the listener did not follow the cloud in time"
        time.sleep(0.2)


def assert_equals_fresh_scan(store: Store, cloud: dict, store_uri: str, timeout: float = 60.0) -> None:
    """Once the listener has caught up, the store equals a fresh full scan of the same cloud."""
    fresh = _store(store_uri)
    try:
        EnvironmentConfigs(fresh).add(dict(cloud))
        from scan.clients import build_clients
        full_scan(fresh, ENV, build_clients)
        expected = snapshot(fresh, ENV)
        deadline = time.monotonic() + timeout
        while (difference := diff(snapshot(store, ENV), expected)) and time.monotonic() < deadline:
            time.sleep(0.25)
        assert difference == {}
    finally:
        fresh.client.drop_database(fresh.db.name)


def test_instance_lifecycle_follows_the_cloud(listening, cloud, store_uri):
    store, sdk, _ = listening
    net = next(n for n in sdk.network.networks() if not n.is_router_external)
    flavor = next(sdk.compute.flavors())
    image = next(sdk.compute.images())
    server = sdk.compute.create_server(name="listen-vm", flavor_id=flavor.id, image_id=image.id,
                                       networks=[{"uuid": net.id}])
    server = sdk.compute.wait_for_server(server, wait=10, interval=0.1)
    eventually(lambda: Inventory(store).get(ENV, server.id, "instance") is not None)
    assert_equals_fresh_scan(store, cloud, store_uri)

    sdk.compute.stop_server(server)
    eventually(lambda: Inventory(store).get(ENV, server.id, "instance")["status"] == "SHUTOFF")
    assert_equals_fresh_scan(store, cloud, store_uri)
    sdk.compute.start_server(server)
    eventually(lambda: Inventory(store).get(ENV, server.id, "instance")["status"] == "ACTIVE")

    sdk.compute.delete_server(server)
    sdk.compute.wait_for_delete(server, wait=10, interval=0.1)
    eventually(lambda: Inventory(store).get(ENV, server.id, "instance") is None)
    assert_equals_fresh_scan(store, cloud, store_uri)
    kinds = {m["event_type"] for m in store["messages"].find({"environment": ENV, "source_system": "OpenStack"})}
    assert {"compute.instance.create.end", "compute.instance.power_off.end", "compute.instance.delete.end"} <= kinds


def test_networks_subnets_ports_routers_and_interfaces_follow_the_cloud(listening, cloud, store_uri):
    store, sdk, _ = listening
    net = sdk.network.create_network(name="listen-net")
    sub = sdk.network.create_subnet(network_id=net.id, cidr="10.77.0.0/24", ip_version=4, name="listen-sub")
    eventually(lambda: Inventory(store).get(ENV, net.id, "network")["subnet_ids"] == [sub.id])
    assert_equals_fresh_scan(store, cloud, store_uri)

    port = sdk.network.create_port(network_id=net.id, name="listen-port")
    sdk.network.update_network(net, name="listen-net-renamed")
    eventually(lambda: Inventory(store).get(ENV, net.id, "network")["name"] == "listen-net-renamed")
    assert_equals_fresh_scan(store, cloud, store_uri)

    router = sdk.network.create_router(name="listen-router")
    sdk.network.add_interface_to_router(router, subnet_id=sub.id)
    eventually(lambda: any(d["id"].endswith(router.id) for d in Inventory(store).of_type(ENV, "vservice")))
    assert_equals_fresh_scan(store, cloud, store_uri)

    sdk.network.update_subnet(sub, name="listen-sub-renamed")      # the original kept the old key
    sdk.network.remove_interface_from_router(router, subnet_id=sub.id)
    sdk.network.delete_router(router)
    eventually(lambda: [s.get("name") for s in Inventory(store).get(ENV, net.id, "network")["subnets"]]
               == ["listen-sub-renamed"])
    assert_equals_fresh_scan(store, cloud, store_uri)

    sdk.network.delete_port(port)
    sdk.network.delete_subnet(sub)
    sdk.network.delete_network(net)
    eventually(lambda: Inventory(store).get(ENV, net.id, "network") is None)
    assert_equals_fresh_scan(store, cloud, store_uri)
    assert list(store["failed_events"].find({"environment": ENV})) == []
