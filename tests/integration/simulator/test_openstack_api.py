"""Keystone, Nova and Neutron of the simulator, driven by unmodified openstacksdk and plain HTTP,
with every mutation checked against the model and the notification bus."""

from __future__ import annotations

import json
import time
from pathlib import Path

import keystoneauth1.exceptions
import openstack
import pytest
import requests
from kombu import Exchange, Queue

from app.bus import connection
from simulator.amqp import NotificationPublisher
from simulator.faults import Conditions, parse_faults, parse_latency
from simulator.model import Params, build_model
from simulator.model.plumbing import plumbing
from simulator.openstack.server import OpenStackServer
from simulator.options import SimOptions


class Cloud:
    def __init__(self, tmp: Path, conditions: Conditions | None = None, release: str = "current",
                 amqp_url: str | None = None, **params):
        self.model = build_model(Params(release=release, **params))
        self.options = SimOptions(state_dir=tmp, conditions=conditions or Conditions(), amqp_url=amqp_url,
                                  extra={"release": release})
        self.api = OpenStackServer(self.model, self.options)
        self.api.start()
        self.bus = NotificationPublisher(self.model, self.options)
        self.queue = None
        section = self.api.config_section()
        self.keystone = f"http://127.0.0.1:{section['port']}"
        self.password = section["pwd"]

    def listen(self) -> None:
        """Bind a queue like the Calipso listener does, before any mutation is published."""
        self.conn = connection(self.bus.url)
        self.queues = [Queue(f"test-{name}", Exchange(name, type="topic", durable=False), routing_key="#",
                             durable=False) for name in ("nova", "neutron")]
        for q in self.queues:
            q(self.conn.default_channel).declare()
        self.bus.start()

    def notifications(self) -> list[dict]:
        self.bus.flush()
        out = []
        for q in self.queues:
            bound = q(self.conn.default_channel)
            while (msg := bound.get(no_ack=True)) is not None:
                body = msg.payload
                assert body["oslo.version"] == "2.0" and isinstance(body["oslo.message"], str)
                out.append(json.loads(body["oslo.message"]) | {"_exchange": q.exchange.name,
                                                               "_content_type": msg.content_type})
        return out

    def sdk(self, password: str | None = None) -> openstack.connection.Connection:
        return openstack.connect(auth_url=self.keystone + "/v3", username="admin",
                                 password=password or self.password, project_name="admin",
                                 user_domain_id="default", project_domain_id="default", region_name="RegionOne")

    def token(self) -> str:
        r = requests.post(self.keystone + "/v3/auth/tokens", json={"auth": {
            "identity": {"methods": ["password"], "password": {"user": {
                "name": "admin", "password": self.password, "domain": {"id": "default"}}}},
            "scope": {"project": {"name": "admin", "domain": {"id": "default"}}}}}, timeout=5)
        assert r.status_code == 201
        return r.headers["X-Subject-Token"]

    def url(self, service: str) -> str:
        return self.api.urls["RegionOne"][service]

    def stop(self) -> None:
        self.bus.stop()
        self.api.stop()


@pytest.fixture(scope="module")
def cloud(tmp_path_factory):
    c = Cloud(tmp_path_factory.mktemp("sim-api"), computes=3, instances=4, networks=2, routers=1, seed=21)
    c.listen()
    yield c
    c.stop()


@pytest.fixture(scope="module")
def sdk(cloud):
    return cloud.sdk()


def test_sdk_gets_a_token_and_lists_what_the_model_holds(cloud, sdk):
    m = cloud.model
    assert sdk.auth_token
    assert {s.id for s in sdk.compute.servers(all_projects=True)} == set(m.instances)
    assert {n.id for n in sdk.network.networks()} == set(m.networks)
    assert {s.cidr for s in sdk.network.subnets()} == {s.cidr for s in m.subnets.values()}
    ports = {p.id: p for p in sdk.network.ports()}
    assert set(ports) == set(m.ports)
    assert all(ports[p.id].mac_address == p.mac_address and ports[p.id].binding_host_id == p.host
               for p in m.ports.values())
    assert {r.id for r in sdk.network.routers()} == set(m.routers)
    assert {h.name for h in sdk.compute.hypervisors()} == {h.name for h in m.hosts.values() if h.is_compute}
    zones = {z.name: z for z in sdk.compute.availability_zones(details=True)}
    assert set(zones) == {"internal", "nova"}
    assert set(zones["nova"].hosts) == {h.name for h in m.hosts.values() if h.is_compute}


def test_a_server_created_through_nova_shows_up_everywhere_then_goes_away(cloud, sdk):
    m = cloud.model
    cloud.notifications()  # drain
    net = next(n for n in m.networks.values() if not n.external)
    flavor = next(sdk.compute.flavors())
    server = sdk.compute.create_server(name="sdk-vm", flavor_id=flavor.id, image_id=next(iter(m.images)),
                                       networks=[{"uuid": net.id}])
    server = sdk.compute.wait_for_server(server, wait=10, interval=0.1)
    assert server.status == "ACTIVE"
    inst = m.instances[server.id]
    port = m.ports[inst.port_ids[0]]
    view = plumbing(m, inst.host)
    assert any(d.uuid == inst.id and d.state == "running" for d in view.domains)
    assert any(p.name == "qvo" + port.id[:11] for b in view.ovs_bridges for p in b.ports)
    assert next(sdk.network.ports(device_id=server.id)).id == port.id
    events = cloud.notifications()
    create = next(e for e in events if e["event_type"] == "compute.instance.create.end")
    assert create["payload"]["instance_id"] == server.id and create["payload"]["host"] == inst.host
    assert create["publisher_id"] == f"compute.{inst.host}" and create["_exchange"] == "nova"
    assert create["_content_type"] == "application/json"
    port_event = next(e for e in events if e["event_type"] == "port.create.end")
    assert port_event["payload"]["port"]["id"] == port.id and port_event["_exchange"] == "neutron"

    sdk.compute.delete_server(server)
    sdk.compute.wait_for_delete(server, wait=10, interval=0.1)
    assert server.id not in m.instances and port.id not in m.ports
    assert not any(d.uuid == inst.id for d in plumbing(m, inst.host).domains)
    types = [e["event_type"] for e in cloud.notifications()]
    assert "port.delete.end" in types and "compute.instance.delete.end" in types


def test_power_actions_change_the_domain_and_notify(cloud, sdk):
    m = cloud.model
    server_id = next(iter(m.instances))
    host = m.instances[server_id].host
    cloud.notifications()
    for action, vm_state, domain_state, event in (
            (sdk.compute.stop_server, "stopped", "shut off", "compute.instance.power_off.end"),
            (sdk.compute.start_server, "active", "running", "compute.instance.power_on.end"),
            (sdk.compute.suspend_server, "suspended", "shut off", "compute.instance.suspend.end"),
            (sdk.compute.resume_server, "active", "running", "compute.instance.resume.end")):
        action(server_id)
        assert sdk.compute.get_server(server_id).vm_state == vm_state
        assert next(d for d in plumbing(m, host).domains if d.uuid == server_id).state == domain_state
        got = [e for e in cloud.notifications() if e["event_type"] == event]
        assert got and got[0]["payload"]["instance_id"] == server_id and got[0]["payload"]["state"] == vm_state


def test_network_mutations_through_the_sdk_each_emit_their_notification(cloud, sdk):
    m = cloud.model
    cloud.notifications()
    net = sdk.network.create_network(name="blue")
    sdk.network.update_network(net, name="blue2")
    sub = sdk.network.create_subnet(network_id=net.id, cidr="10.99.0.0/24", ip_version=4, name="blue-sub")
    port = sdk.network.create_port(network_id=net.id, name="p1")
    sdk.network.update_port(port, name="p2")
    router = sdk.network.create_router(name="r-blue")
    sdk.network.update_router(router, name="r-blue2")
    sdk.network.add_interface_to_router(router, subnet_id=sub.id)
    qr = next(p for p in m.router_interfaces(router.id))
    assert qr.fixed_ips[0]["ip_address"] == "10.99.0.1"
    assert any(i.name == "qr-" + qr.id[:11] for ns in plumbing(m, m.routers[router.id].host).namespaces
               for i in ns.interfaces)
    sdk.network.remove_interface_from_router(router, subnet_id=sub.id)
    sdk.network.delete_router(router)
    sdk.network.delete_port(port)
    sdk.network.delete_subnet(sub)
    sdk.network.delete_network(net)
    assert net.id not in m.networks
    events = cloud.notifications()
    types = [e["event_type"] for e in events]
    for expected in ("network.create.end", "network.update.end", "subnet.create.end", "port.create.end",
                     "port.update.end", "router.create.end", "router.update.end", "router.interface.create",
                     "router.interface.delete", "router.delete.end", "port.delete.end", "subnet.delete.end",
                     "network.delete.end"):
        assert expected in types, expected
    by_type = {e["event_type"]: e for e in events}
    assert by_type["network.create.end"]["payload"]["network"]["id"] == net.id
    assert by_type["network.update.end"]["payload"]["network"]["name"] == "blue2"
    assert by_type["subnet.create.end"]["payload"]["subnet"]["cidr"] == "10.99.0.0/24"
    assert by_type["router.interface.create"]["payload"]["router_interface"]["id"] == router.id
    assert by_type["network.delete.end"]["payload"]["network_id"] == net.id
    assert all(e["publisher_id"].startswith("network.") for e in events if e["_exchange"] == "neutron")


def test_wrong_password_gets_keystones_401(cloud):
    r = requests.post(cloud.keystone + "/v3/auth/tokens", json={"auth": {"identity": {
        "methods": ["password"], "password": {"user": {"name": "admin", "password": "nope",
                                                       "domain": {"id": "default"}}}}}}, timeout=5)
    assert r.status_code == 401
    assert r.json() == {"error": {"code": 401, "title": "Unauthorized",
                                  "message": "The request you have made requires authentication."}}
    with pytest.raises(keystoneauth1.exceptions.http.Unauthorized):
        cloud.sdk(password="nope").auth_token


def test_calls_without_a_valid_token_get_401(cloud):
    for url in (cloud.url("network") + "/v2.0/networks", cloud.url("compute") + "/servers"):
        r = requests.get(url, headers={"X-Auth-Token": "not-a-token"}, timeout=5)
        assert r.status_code == 401 and r.json()["error"]["code"] == 401


def test_malformed_bodies_get_each_services_400_shape(cloud):
    headers = {"X-Auth-Token": cloud.token(), "Content-Type": "application/json"}
    r = requests.post(cloud.url("compute") + "/servers", data="{not json", headers=headers, timeout=5)
    assert r.status_code == 400 and r.json() == {"badRequest": {"code": 400, "message": "Malformed request body"}}
    r = requests.post(cloud.url("network") + "/v2.0/networks", data="{not json", headers=headers, timeout=5)
    assert r.status_code == 400 and r.json()["NeutronError"]["type"] == "HTTPBadRequest"
    r = requests.post(cloud.keystone + "/v3/auth/tokens", data="[", headers=headers, timeout=5)
    assert r.status_code == 400 and r.json()["error"]["title"] == "Bad Request"


def test_nova_paths_of_the_contract_answer_for_one_resource(cloud):
    m = cloud.model
    headers = {"X-Auth-Token": cloud.token()}
    nova = cloud.url("compute").rsplit("/v2.1", 1)[0]
    admin = m.admin_project_id
    host = next(h for h in m.hosts.values() if h.is_compute and m.instances_on_host(h.name))
    for prefix in (f"/v2/{admin}", "/v2", "/v2.1", f"/v2.1/{admin}"):
        r = requests.get(f"{nova}{prefix}/os-hypervisors/{host.name}/servers", headers=headers, timeout=5)
        assert r.status_code == 200
        servers = r.json()["hypervisors"][0]["servers"]
        assert {s["uuid"] for s in servers} == {i.id for i in m.instances_on_host(host.name)}
        assert {s["name"] for s in servers} == {i.domain_name for i in m.instances_on_host(host.name)}
    r = requests.get(f"{nova}/v2/{admin}/os-hypervisors/nosuchhost/servers", headers=headers, timeout=5)
    assert r.status_code == 404 and "itemNotFound" in r.json()


def test_latency_is_added_to_each_call(tmp_path):
    c = Cloud(tmp_path, Conditions(parse_latency("api=300")), computes=1, instances=0, networks=1, routers=0)
    try:
        token = c.token()
        start = time.monotonic()
        r = requests.get(c.url("network") + "/v2.0/networks", headers={"X-Auth-Token": token}, timeout=5)
        assert r.status_code == 200 and time.monotonic() - start >= 0.3
    finally:
        c.stop()


def test_faults_auth_garbage_and_down(tmp_path):
    faults = parse_faults(["keystone:auth", "neutron:garbage", "nova:down"], set())
    c = Cloud(tmp_path, Conditions(faults=faults), computes=1, instances=0, networks=1, routers=0)
    try:
        r = requests.post(c.keystone + "/v3/auth/tokens", json={"auth": {"identity": {
            "methods": ["password"], "password": {"user": {"name": "admin", "password": c.password,
                                                           "domain": {"id": "default"}}}}}}, timeout=5)
        assert r.status_code == 401
        token = c.tokens_for_test = c.api.tokens.issue(c.model.users["admin"], c.model.admin_project)["id"]
        r = requests.get(c.url("network") + "/v2.0/networks", headers={"X-Auth-Token": token}, timeout=5)
        with pytest.raises(ValueError):
            json.loads(r.text)
        with pytest.raises(requests.ConnectionError):
            requests.get(c.url("compute") + "/servers", headers={"X-Auth-Token": token}, timeout=5)
    finally:
        c.stop()


def test_old_release_speaks_keystone_v2(tmp_path):
    c = Cloud(tmp_path, release="old", computes=1, instances=1, networks=1, routers=0)
    try:
        r = requests.post(c.keystone + "/v2.0/tokens", json={"auth": {
            "passwordCredentials": {"username": "admin", "password": c.password}, "tenantName": "admin"}},
            timeout=5)
        assert r.status_code == 200
        access = r.json()["access"]
        assert access["token"]["tenant"]["id"] == c.model.admin_project_id
        assert {s["name"] for s in access["serviceCatalog"]} == {"keystone", "nova", "neutron"}
        tenants = requests.get(c.keystone + "/v2.0/tenants", headers={"X-Auth-Token": access["token"]["id"]},
                               timeout=5).json()["tenants"]
        assert {t["name"] for t in tenants} == {p.name for p in c.model.projects.values()}
        nets = requests.get(c.url("network") + "/v2.0/networks", headers={"X-Auth-Token": access["token"]["id"]},
                            timeout=5).json()["networks"]
        assert nets and all("project_id" not in n and n["tenant_id"] for n in nets)
    finally:
        c.stop()


def test_current_release_has_no_keystone_v2(cloud):
    r = requests.post(cloud.keystone + "/v2.0/tokens", json={}, timeout=5)
    assert r.status_code == 404 and r.headers["Content-Type"].startswith("text/html")


@pytest.mark.rabbitmq
def test_notifications_reach_rabbitmq(tmp_path, rabbitmq):
    c = Cloud(tmp_path, amqp_url=rabbitmq, computes=1, instances=0, networks=1, routers=0, seed=3)
    try:
        c.listen()
        net = c.model.create_network("rabbit-net")
        got = c.notifications()
        assert any(e["event_type"] == "network.create.end" and e["payload"]["network"]["id"] == net.id
                   for e in got)
        for q in c.queues:
            q(c.conn.default_channel).delete()
        c.conn.release()
    finally:
        c.stop()
