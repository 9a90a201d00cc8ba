"""Pages follow the store by themselves: a server created in the cloud appears in the open tree (and
goes when deleted), and a scan completing updates the dashboard's counters, without a reload."""

from __future__ import annotations

import threading
import time
import uuid

from app.envconfig.repository import EnvironmentConfigs
from tests.integration.ui.conftest import eventually, login, open_tree_to


def _instance_folders(console) -> list[str]:
    rows = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "instance",
                                                    "projection": "parent_id"})["objects"]
    return sorted({r["parent_id"] for r in rows})


def test_server_created_through_openstacksdk_appears_in_the_open_tree(page, console, shot):
    sdk = console.sdk
    login(page, "alice", console.users["alice"])
    folders = _instance_folders(console)
    page.goto(f"/environment/{console.env}?selectedNodeId={folders[0]}")
    for folder in folders:
        open_tree_to(page, console, "alice", folder)
    page.evaluate("window.__not_reloaded = true")

    net = next(n for n in sdk.network.networks() if not n.is_router_external)
    name = f"live-vm-{uuid.uuid4().hex[:6]}"
    server = sdk.compute.create_server(name=name, flavor_id=next(sdk.compute.flavors()).id,
                                       image_id=next(sdk.compute.images()).id, networks=[{"uuid": net.id}])
    server = sdk.compute.wait_for_server(server, wait=20, interval=0.2)
    node = page.locator(f'#tree li.node[data-id="{server.id}"]')
    node.wait_for(timeout=60_000)
    assert node.locator(".node-name").inner_text() == name
    assert page.evaluate("window.__not_reloaded") is True
    shot(page, "live-new-server")

    sdk.compute.delete_server(server)
    sdk.compute.wait_for_delete(server, wait=20, interval=0.2)
    node.wait_for(state="detached", timeout=60_000)
    assert page.evaluate("window.__not_reloaded") is True


def test_scan_completing_updates_the_dashboard_counters(page, console):
    from scan.clients import build_clients
    from scan.controller import ScanController, ScanOptions

    env = f"later-{uuid.uuid4().hex[:6]}"
    EnvironmentConfigs(console.store).add({**console.cloud, "name": env, "listen": False,
                                           "auth": {"view-env": ["erin"], "edit-env": []}})
    login(page, "erin", console.users["erin"])
    card = page.locator(f'.env-card[data-env="{env}"]')
    cube = card.locator('.cube-n[data-count="instance"]')
    assert cube.inner_text() == "0" and card.locator("[data-env-scan-state]").inner_text() == "not scanned yet"
    page.evaluate("window.__not_reloaded = true")

    done = threading.Event()
    result = {}

    def scan():
        result["r"] = ScanController(console.store, ScanOptions(env=env, serial=True), clients_factory=build_clients).run()
        result["at"] = time.monotonic()
        done.set()

    threading.Thread(target=scan, daemon=True).start()
    assert done.wait(180), "the scan did not finish"
    assert result["r"].status in ("completed", "completed_with_errors")
    expected = console.api_get("erin", "/summary", {"env_name": env})["environments"][0]["counts"]
    assert expected["instance"] > 0
    state = card.locator("[data-env-scan-state]")
    eventually(lambda: cube.inner_text() == str(expected["instance"]) and state.inner_text() == "scanned", timeout=10)
    seen = time.monotonic() - result["at"]
    assert card.locator('.cube-n[data-count="host"]').inner_text() == str(expected["host"])
    assert page.evaluate("window.__not_reloaded") is True
    assert seen < 10
