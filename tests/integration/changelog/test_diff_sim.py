"""The diff on the simulated cloud, changed through openstacksdk: after a second scan, and after the
listener followed the changes without one, the diff names exactly what changed.

"Exactly" is checked two ways: against the mutations themselves (the servers, networks and ports
created, deleted and renamed), and against the store (the live objects and links before and after,
compared field by field): nothing the store changed is missing from the diff, and nothing else is in it.
"""

from __future__ import annotations

import threading
import time
import uuid
import warnings
from datetime import datetime, timezone

import openstack
import pytest

from app.cliques import clique_hash
from app.changediff import diff
from app.changelog import ChangeLog
from app.diffing import FOREIGN, canonical, content
from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions

pytest.importorskip("simulator.model.build")
from tests.scan_support.sim import start_in_process  # noqa: E402

warnings.filterwarnings("ignore", module="openstack")


def live(store: Store, env: str) -> tuple[dict, dict]:
    """Objects and links a reader sees as current, by key, as content without other writers' fields."""
    objs = {(d["type"], d["id"]): canonical({k: v for k, v in content(d).items() if k not in FOREIGN})
            for d in store["inventory"].find({"environment": env, "stale_since": {"$exists": False}})}
    links = {(d["link_type"], d["source_id"], d["target_id"]): canonical(content(d))
             for d in store["links"].find({"environment": env, "stale_since": {"$exists": False}})}
    return objs, links


def expected(before: dict, after: dict) -> dict[str, set]:
    return {"added": set(after) - set(before), "removed": set(before) - set(after),
            "changed": {k for k in set(before) & set(after) if before[k] != after[k]}}


def keys(out: dict, part: str) -> dict[str, set]:
    key = (lambda r: (r["type"], r["id"])) if part == "objects" else (
        lambda r: (r["link_type"], r["source_id"], r["target_id"]))
    return {op: {key(r) for r in out[part][op]} for op in ("added", "removed", "changed")}


@pytest.fixture
def cloud(store_uri, tmp_path):
    sim = start_in_process("diffsim", tmp_path / "sim", computes=2, instances=3)
    store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
    init_db(store)
    os_s = next(s for s in sim.env["configuration"] if s["name"] == "OpenStack")
    sdk = openstack.connect(auth_url=f"http://127.0.0.1:{os_s['port']}/v3", username=os_s["user"],
                            password=os_s["pwd"], project_name="admin", user_domain_id="default",
                            project_domain_id="default", region_name="RegionOne")
    yield sim, store, sdk
    sim.stop()
    store.client.drop_database(store.db.name)


def scan(store: Store, env: str = "diffsim") -> ScanController:
    c = ScanController(store, ScanOptions(env=env, serial=True))
    res = c.run()
    assert res.status == "completed", res.reason
    return c


class Mutations:
    """Create and delete servers and networks, add a router interface, rename a server."""

    def prepare(self, sdk) -> None:
        self.doomed = sdk.network.create_network(name="doomed-net")

    def run(self, sdk) -> None:
        net = next(n for n in sdk.network.networks() if not n.is_router_external and n.name != "doomed-net")
        servers = sorted(sdk.compute.servers(all_projects=True), key=lambda s: s.name)
        self.victim, self.renamed = servers[0], servers[1]
        self.victim_ports = {p.id for p in sdk.network.ports(device_id=self.victim.id)}
        flavor, image = next(sdk.compute.flavors()), next(sdk.compute.images())
        new = sdk.compute.create_server(name="diff-vm", flavor_id=flavor.id, image_id=image.id,
                                        networks=[{"uuid": net.id}])
        self.new = sdk.compute.wait_for_server(new, wait=10, interval=0.1)
        sdk.compute.delete_server(self.victim)
        sdk.compute.wait_for_delete(self.victim, wait=10, interval=0.1)
        sdk.compute.update_server(self.renamed, name="renamed-vm")
        self.net = sdk.network.create_network(name="diff-net")
        sub = sdk.network.create_subnet(network_id=self.net.id, cidr="10.88.0.0/24", ip_version=4, name="diff-sub")
        self.router = next(sdk.network.routers())
        self.router_port = sdk.network.add_interface_to_router(self.router, subnet_id=sub.id)["port_id"]
        sdk.network.delete_network(self.doomed)
        self.new_ports = {p.id for p in sdk.network.ports(device_id=self.new.id)}
        self.net_ports = {p.id for p in sdk.network.ports(network_id=self.net.id)}

    def check(self, out: dict) -> None:
        objs = {op: {(r["type"], r["id"]): r for r in out["objects"][op]} for op in ("added", "removed", "changed")}
        of = lambda op, t: {i for (ty, i) in objs[op] if ty == t}   # noqa: E731
        assert of("added", "instance") == {self.new.id} and of("removed", "instance") == {self.victim.id}
        assert of("changed", "instance") == {self.renamed.id}
        assert set(objs["changed"][("instance", self.renamed.id)]["fields"]) == {"name", "name_path", "object_name"}
        assert objs["changed"][("instance", self.renamed.id)]["fields"]["name"]["after"] == "renamed-vm"
        assert of("added", "network") == {self.net.id} and of("removed", "network") == {self.doomed.id}
        assert of("added", "port") == self.new_ports | self.net_ports | {self.router_port}
        assert of("removed", "port") == self.victim_ports
        # nothing unrelated: every other object names one of the changed things, or carries their ports
        related = {self.new.id, self.victim.id, self.renamed.id, self.net.id, self.doomed.id, self.router.id}
        related |= {p[:11] for p in self.new_ports | self.net_ports | self.victim_ports | {self.router_port}}
        for op in ("added", "removed", "changed"):
            for (t, i), r in objs[op].items():
                if t in ("vedge", "otep"):
                    assert set(r["fields"]) <= {"ports", "tunnels", "tunnels_missing"}, r
                else:
                    assert any(x in i for x in related) or any(x in (r.get("id_path") or "") for x in related), r


def test_second_scan_diff_equals_the_mutations_and_the_store(cloud):
    sim, store, sdk = cloud
    EnvironmentConfigs(store).add(sim.env)
    m = Mutations()
    m.prepare(sdk)
    first = scan(store)
    objs0, links0 = live(store, "diffsim")
    rescan = scan(store)
    assert rescan.report["changes"] == {"objects": {"added": 0, "changed": 0, "removed": 0},
                                        "links": {"added": 0, "changed": 0, "removed": 0}}
    assert sum(rescan.report["store_writes"].values()) == 0
    m.run(sdk)
    second = scan(store)
    objs1, links1 = live(store, "diffsim")
    out = diff(ChangeLog(store), "diffsim", first.sid, second.sid)
    assert out["scans"] == [rescan.sid, second.sid] and out["complete"]
    m.check(out)
    assert keys(out, "objects") == expected(objs0, objs1)
    assert keys(out, "links") == expected(links0, links1)
    # the deleted server is stale until the next scan: the diff already says removed
    victim = store["inventory"].find_one({"environment": "diffsim", "type": "instance", "id": m.victim.id})
    assert victim["stale_since"] and victim["last_seen"]
    third = scan(store)
    assert diff(ChangeLog(store), "diffsim", second.sid, third.sid)["counts"]["objects"] == {
        "added": 0, "changed": 0, "removed": 0}, "the stale objects' deletion is not a second removal"


def test_listener_batches_make_the_same_diff_without_a_second_scan(cloud):
    from listen.manager import Manager

    sim, store, sdk = cloud
    env = dict(sim.env, listen=True)
    EnvironmentConfigs(store).add(env)
    m = Mutations()
    m.prepare(sdk)
    first = scan(store)
    objs0, links0 = live(store, "diffsim")
    manager = Manager(store, interval=0.2)
    stop = threading.Event()
    thread = threading.Thread(target=manager.run, args=(stop,), daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while EnvironmentConfigs(store).get("diffsim").get("operational") != "running":
            assert time.monotonic() < deadline, "the listener did not start"
            time.sleep(0.1)
        m.run(sdk)
        deadline = time.monotonic() + 90
        while True:   # until the listener has applied every event (bounded): then the diff must match
            out = diff(ChangeLog(store), "diffsim", first.sid)
            objs1, links1 = live(store, "diffsim")
            try:
                m.check(out)
                assert keys(out, "objects") == expected(objs0, objs1)
                assert keys(out, "links") == expected(links0, links1)
                break
            except AssertionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.5)
    finally:
        stop.set()
        thread.join(20)
    assert out["scans"] == [] and out["entries"] >= 1, "listener batches, not scans, made these changes"


def test_rescans_of_a_monitored_cloud_write_only_what_changed_and_keep_the_links_status_in_cliques(cloud):
    """Monitoring sets a status on links and checks again every few seconds; a clique copies its links."""
    sim, store, sdk = cloud
    EnvironmentConfigs(store).add(sim.env)
    scan(store)

    def checked(at: datetime) -> None:
        store["links"].update_many({"environment": "diffsim"}, {"$set": {
            "status": "OK", "status_value": 0, "status_text": "vNIC seen on its bridge", "status_timestamp": at}})

    def statuses() -> list:
        return [l.get("status") for c in store["cliques"].find({"environment": "diffsim"}) for l in c["links_detailed"]]

    checked(datetime(2026, 11, 28, 6, 0, tzinfo=timezone.utc))
    res = ScanController(store, ScanOptions(env="diffsim", serial=True, cliques_only=True)).run()
    assert res.status == "completed" and set(statuses()) == {"OK"}     # the cliques took the links' status up
    checked(datetime(2026, 11, 28, 6, 1, tzinfo=timezone.utc))         # checked again; nothing else changed
    rescan = scan(store)
    assert sum(rescan.report["store_writes"].values()) == 0
    before = {l["_id"] for c in store["cliques"].find({"environment": "diffsim"}) for l in c["links_detailed"]}
    net = next(n for n in sdk.network.networks() if not n.is_router_external)
    new = sdk.compute.create_server(name="watched-vm", flavor_id=next(sdk.compute.flavors()).id,
                                    image_id=next(sdk.compute.images()).id, networks=[{"uuid": net.id}])
    sdk.compute.wait_for_server(new, wait=10, interval=0.1)
    grown = scan(store)                              # rebuilds the cliques near the new server, and only those
    assert 1 <= grown.report["store_writes"]["cliques"] < sum(grown.report["cliques"].values())
    kept = [l for c in store["cliques"].find({"environment": "diffsim"}) for l in c["links_detailed"] if l["_id"] in before]
    assert kept and all(l["status"] == "OK" for l in kept)


def test_a_rescan_rebuilds_only_the_cliques_near_what_changed_and_they_are_those_a_full_rebuild_makes(cloud):
    sim, store, sdk = cloud
    EnvironmentConfigs(store).add(sim.env)
    scan(store)
    servers = sorted(sdk.compute.servers(all_projects=True), key=lambda s: s.name)
    sdk.compute.delete_server(servers[0])
    sdk.compute.wait_for_delete(servers[0], wait=10, interval=0.1)
    net = next(n for n in sdk.network.networks() if not n.is_router_external)
    new = sdk.compute.create_server(name="near-vm", flavor_id=next(sdk.compute.flavors()).id,
                                    image_id=next(sdk.compute.images()).id, networks=[{"uuid": net.id}])
    sdk.compute.wait_for_server(new, wait=10, interval=0.1)
    rescan = scan(store)
    done = rescan.report["retired"]["cliques"]
    assert 0 < done["rebuilt"] and done["kept"] > 0 and done["written"] > 0 and done["removed"] > 0
    near = {c["_key"]: c["_hash"] for c in store["cliques"].find({"environment": "diffsim"})}
    # each clique is stored as it was hashed: its copies of links, made again as it is written, included
    assert all(clique_hash(c) == c["_hash"] for c in store["cliques"].find({"environment": "diffsim"}))
    full = ScanController(store, ScanOptions(env="diffsim", serial=True, cliques_only=True)).run()
    assert full.status == "completed" and full.report["store_writes"]["cliques"] == 0
    assert {c["_key"]: c["_hash"] for c in store["cliques"].find({"environment": "diffsim"})} == near
    assert sum(rescan.report["cliques"].values()) == sum(full.report["cliques"].values()) == len(near)
