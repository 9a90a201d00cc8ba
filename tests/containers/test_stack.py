"""`docker compose --profile demo up`, as a user runs it: every service, the simulated cloud registered,
and the whole loop through the published ports only (tests run in this order, on one stack)."""

from __future__ import annotations

import time

import openstack
import requests

from tests.containers.conftest import wait_for
from tests.containers.ui_login import sign_in

ENV = "demo"


_tokens: dict = {}


def token(stack, fresh: bool = False) -> dict:
    if fresh or stack.project not in _tokens:
        r = requests.post(stack.api("/auth/tokens"), timeout=10, json={"auth": {
            "methods": ["credentials"], "credentials": {"username": "admin", "password": stack.admin_password}}})
        r.raise_for_status()
        _tokens[stack.project] = {"X-Auth-Token": r.json()["token"]}
    return _tokens[stack.project]


def get(stack, path: str, **params):
    r = requests.get(stack.api(path), headers=token(stack), params=params, timeout=10)
    r.raise_for_status()
    return r.json()


def test_api_answers_and_the_simulated_cloud_registers_itself(stack):
    wait_for("the API accepting the admin's password", lambda: token(stack, fresh=True), timeout=300)
    names = wait_for("environment demo registered by the sim container",
                     lambda: ENV in [e["name"] for e in get(stack, "/environment_configs")["environment_configs"]],
                     timeout=300)
    assert names


def test_the_ui_signs_in_through_its_published_port(stack):
    session = requests.Session()
    base = f"http://127.0.0.1:{stack.ports['ui']}"
    page = wait_for("the UI's sign-in page", lambda: session.get(f"{base}/login", timeout=10), timeout=180)
    assert page.status_code == 200 and "password" in page.text.lower()
    home = sign_in(session, base, "admin", stack.admin_password)
    assert home.status_code == 200 and "Sign in" not in home.text and ENV in home.text


def test_a_scan_queued_through_the_api_is_run_by_the_scan_manager(stack):
    r = requests.post(stack.api("/scans"), headers=token(stack), timeout=10,
                      json={"env_name": ENV, "log_level": "info"})
    assert r.status_code in (200, 201), r.text
    scan_id = r.json()["id"]

    def done():
        scan = get(stack, "/scans", env_name=ENV, id=scan_id)
        assert scan["status"] != "failed", f"the scan failed: {scan}"
        return scan["status"] == "completed"

    wait_for("the queued scan completing", done, timeout=600, every=3)
    print(f"\nfirst scan completed {time.monotonic() - stack.started:.0f} s after 'compose up'")
    instances = get(stack, "/inventory", env_name=ENV, type="instance", page_size=500)["objects"]
    assert instances, "the scan found the simulated cloud's instances"


def test_every_console_replica_knows_a_session_signed_in_on_another(stack):
    base = f"http://127.0.0.1:{stack.ports['ui']}"
    session = requests.Session()
    sign_in(session, base, "admin", stack.admin_password)
    # the load balancer takes turns over the two replicas: every page is signed in, whichever serves it
    pages = [session.get(f"{base}/Dashboard", timeout=10, allow_redirects=False) for _ in range(8)]
    assert [p.status_code for p in pages] == [200] * 8
    names = stack.containers()
    assert sum(1 for n in names if "_ui_" in n or "-ui-" in n) == 2, names


def test_a_distributed_scan_request_is_shared_by_the_scan_workers(stack):
    r = requests.post(stack.api("/scans"), headers=token(stack), timeout=10,
                      json={"env_name": ENV, "log_level": "info", "distributed": True})
    assert r.status_code in (200, 201), r.text
    scan_id = r.json()["id"]

    def done():
        scan = get(stack, "/scans", env_name=ENV, id=scan_id)
        assert scan["status"] not in ("failed", "completed_with_errors"), f"the distributed scan ended: {scan}"
        return scan["status"] == "completed"

    wait_for("the distributed scan completing", done, timeout=600, every=3)
    logs = stack.logs("scan-worker")
    assert " stored in " in logs, logs[-3000:]


def test_a_server_created_on_the_cloud_is_applied_by_the_listener(stack):
    # no waiting for the listener to start: the queue was declared when the environment was registered
    p = stack.ports
    sdk = openstack.connect(auth_url=f"http://127.0.0.1:{p['keystone']}/v3", username="admin",
                            password=stack.sim_password, project_name="admin", user_domain_id="default",
                            project_domain_id="default", region_name="RegionOne",
                            compute_endpoint_override=f"http://127.0.0.1:{p['nova']}/v2.1",
                            network_endpoint_override=f"http://127.0.0.1:{p['neutron']}")
    flavor, image = next(sdk.compute.flavors()), next(sdk.compute.images())
    network = next(n for n in sdk.network.networks() if not n.is_router_external)
    sdk.compute.create_server(name="container-vm", flavor_id=flavor.id, image_id=image.id,
                              networks=[{"uuid": network.id}])
    wait_for("the listener adding the new server to the inventory",
             lambda: any(o["name"] == "container-vm" for o in
                         get(stack, "/inventory", env_name=ENV, type="instance", page_size=500)["objects"]),
             timeout=180)


def test_services_recover_after_the_store_container_restarts(stack):
    stack.compose("restart", "mongo", timeout=120)
    started = time.monotonic()
    wait_for("the API answering again after the store restart",
             lambda: get(stack, "/environment_configs")["environment_configs"], timeout=120, every=1)
    recovered = time.monotonic() - started
    print(f"API recovered {recovered:.1f} s after the store container restarted")
    r = requests.post(stack.api("/scans"), headers=token(stack), timeout=10, json={"env_name": ENV, "log_level": "info"})
    assert r.status_code in (200, 201), "the scan manager's store is writable again"


def test_down_leaves_nothing_running(stack):
    stack.compose("down", "-v", "-t", "5", timeout=300)
    assert stack.containers() == []
