"""Inventory, links, cliques, messages and scans persisted through the embedded store over the wire."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta, timezone

import pytest
from bson import ObjectId

from app.cliques import Cliques
from app.inventory import Inventory
from app.links import Links, new_link
from app.messages import Messages, MessagesHandler
from app.paths import dynamic_folder, place, root, static_folder
from app.scans import Scans, ScheduledScans

ENV = "E"


class FakeClock:
    def __init__(self, start: datetime):
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **kw) -> None:
        self.now += timedelta(**kw)


@pytest.fixture
def clock():
    return FakeClock(datetime(2026, 11, 24, 10, 0, tzinfo=timezone.utc))


def build_tree(inv: Inventory) -> dict[str, dict]:
    """env root -> Regions folder -> RegionOne -> AZ folder -> nova -> node-1 -> Instances -> vm1 -> vNICs -> vnic."""
    r = root(ENV)
    regions = place(static_folder(r, "regions"), r, ENV)
    region = place({"id": "RegionOne", "type": "region"}, regions, ENV)
    azf = place(dynamic_folder(region, "availability_zone"), region, ENV)
    az = place({"id": "nova", "type": "availability_zone"}, azf, ENV)
    host = place({"id": "node-1", "type": "host", "host": "node-1"}, az, ENV)
    inst_folder = place(static_folder(host, "instances"), host, ENV)
    vm = place({"id": "uuid-1", "type": "instance", "name": "vm1", "host": "node-1", "in_project-admin": True},
               inst_folder, ENV)
    vnics = place(static_folder(vm, "vnics", text="vNICs"), vm, ENV)
    vnic = place({"id": "node-1-tap1234", "type": "vnic", "name": "tap1234", "mac_address": "fa:16:3e:00:00:01",
                  "host": "node-1", "data": {"driver.name": "qemu"}}, vnics, ENV)
    docs = [regions, region, azf, az, host, inst_folder, vm, vnics, vnic]
    inv.upsert(docs)
    return {d["id"]: d for d in docs}


def test_paths_follow_the_original_construction(initialized_store):
    inv = Inventory(initialized_store)
    build_tree(inv)
    vnic = inv.get(ENV, "node-1-tap1234")
    assert vnic["id_path"] == ("/E/E-regions/RegionOne/RegionOne-availability_zones/nova/node-1/node-1-instances/"
                               "uuid-1/uuid-1-vnics/node-1-tap1234")
    assert vnic["name_path"] == "/E/Regions/RegionOne/Availability Zones/nova/node-1/Instances/vm1/vNICs/tap1234"
    assert vnic["object_name"] == "tap1234" and vnic["parent_type"] == "vnics_folder"
    assert vnic["data"] == {"driver.name": "qemu"}, "keys with dots survive the round trip"
    assert inv.get(ENV, "uuid-1")["projects"] == ["admin"], "project markers are kept, not dropped"


def test_get_children_subtree_and_delete(initialized_store):
    inv = Inventory(initialized_store)
    build_tree(inv)
    assert inv.get(ENV, "node-1", "host")["name"] == "node-1"
    assert inv.get(ENV, "node-1", "vnic") is None
    assert [c["id"] for c in inv.children(ENV, "node-1")] == ["node-1-instances"]
    assert {d["id"] for d in inv.get_many(ENV, ["node-1", "uuid-1", "missing"])} == {"node-1", "uuid-1"}
    assert [d["id"] for d in inv.of_type(ENV, "instance")] == ["uuid-1"]
    removed = inv.delete_subtree(ENV, "node-1")
    assert len(removed) == 5
    assert inv.get(ENV, "node-1-tap1234") is None and inv.get(ENV, "nova") is not None
    assert inv.count(ENV) == 4


def test_rescan_keeps_fields_of_other_writers_and_first_seen(initialized_store, clock):
    inv = Inventory(initialized_store, clock=clock)
    tree = build_tree(inv)
    inv.set_fields(ENV, "host", "node-1", {"status": "Error", "status_value": 2})
    first = inv.get(ENV, "node-1")["first_seen"]
    clock.advance(minutes=5)
    inv.upsert([{**tree["node-1"], "services": {"nova-compute": {}}}])
    host = inv.get(ENV, "node-1")
    assert host["status"] == "Error", "monitoring status survives a rescan"
    assert host["services"] == {"nova-compute": {}}
    assert host["first_seen"] == first and host["last_seen"] == clock.now


def test_write_sets_changed_fields_removes_dropped_ones_and_keeps_other_writers(initialized_store, clock):
    inv = Inventory(initialized_store, clock=clock)
    tree = build_tree(inv)
    inv.set_fields(ENV, "instance", "uuid-1", {"status": "Error", "clique": True})
    stored = inv.index(ENV)
    vm_id = inv.get(ENV, "uuid-1")["_id"]
    assert stored[vm_id]["_hash"] and stored[vm_id]["clique"] is True and len(stored) == len(tree)
    clock.advance(minutes=5)
    vm = {k: v for k, v in tree["uuid-1"].items() if k != "projects"} | {"name": "web"}
    inv.write([], [(vm, {"name": ("vm1", "web"), "projects": (["admin"], None)})], clock.now)
    got = inv.get(ENV, "uuid-1")
    assert got["name"] == "web" and "projects" not in got and got["status"] == "Error" and got["clique"] is True
    assert got["last_seen"] == clock.now and inv.index(ENV)[vm_id]["_hash"] != stored[vm_id]["_hash"]


def test_stale_objects_keep_when_they_were_last_seen(initialized_store, clock):
    inv = Inventory(initialized_store, clock=clock)
    tree = build_tree(inv)
    seen = clock.now
    clock.advance(hours=1)
    vnic = inv.get(ENV, "node-1-tap1234")
    inv.mark_stale([vnic["_id"]], clock.now, {vnic["_id"]: seen})
    got = inv.get(ENV, "node-1-tap1234")
    assert got["stale_since"] == clock.now and got["last_seen"] == seen
    live = {d["id"] for d in inv.live(ENV)}
    assert "node-1-tap1234" not in live and "node-1" in live and len(live) == len(tree) - 1
    assert inv.live(ENV, fields=["id"])[0].keys() <= {"_id", "id"}
    assert {d["id"] for d in inv.by_object_ids([vnic["_id"], inv.get(ENV, "nova")["_id"]])} == {"node-1-tap1234", "nova"}


def test_links_keyed_by_type_source_and_target(initialized_store):
    inv, links = Inventory(initialized_store), Links(initialized_store)
    build_tree(inv)
    vm, vnic = inv.get(ENV, "uuid-1"), inv.get(ENV, "node-1-tap1234")
    links.upsert([new_link(ENV, vm, vnic, link_name="net1", attributes={"network": "n1"}),
                  new_link(ENV, vm, vnic, link_type="instance-vnic2")])
    assert len(links.for_env(ENV)) == 2, "two relations between one pair do not overwrite each other"
    got = links.get(ENV, "instance-vnic", "uuid-1", "node-1-tap1234")
    assert got["source"] == vm["_id"] and got["target"] == vnic["_id"] and got["host"] == "node-1"
    assert [link["link_type"] for link in links.from_nodes([vm["_id"]], "instance-vnic")] == ["instance-vnic"]
    assert len(links.to_nodes([vnic["_id"]])) == 2
    assert links.exists(ENV, "instance-vnic") and not links.exists(ENV, "vnic-instance")
    oids = inv.delete_subtree(ENV, "uuid-1")
    assert links.delete_touching(oids) == 2 and links.for_env(ENV) == []


def test_cliques_by_focal_point_and_node(initialized_store):
    inv, cliques = Inventory(initialized_store), Cliques(initialized_store)
    build_tree(inv)
    vm, vnic = inv.get(ENV, "uuid-1"), inv.get(ENV, "node-1-tap1234")
    link = ObjectId()
    clique = {"environment": ENV, "focal_point": vm["_id"], "focal_point_type": "instance", "links": [],
              "nodes": [vm["_id"], vnic["_id"]]}
    cliques.upsert(clique)
    cliques.upsert({**clique, "links": [link]})
    assert len(cliques.for_env(ENV)) == 1 and cliques.get(ENV, vm["_id"])["links"] == [link]
    assert cliques.coll.find_one(Cliques.with_link(link))["focal_point"] == vm["_id"]
    assert cliques.coll.find_one(Cliques.with_link(ObjectId())) is None
    assert [c["focal_point"] for c in cliques.containing(vnic["_id"])] == [vm["_id"]]
    assert cliques.delete(ENV, vm["_id"]) and cliques.get(ENV, vm["_id"]) is None


def test_messages_handler_writes_operator_records_with_levels(initialized_store):
    messages = Messages(initialized_store)
    logger = logging.getLogger("calipso.test.messages")
    logger.setLevel(logging.DEBUG)
    handler = MessagesHandler(messages, ENV, level=logging.INFO, origin_id="scan-9", origin_type="manual scan")
    logger.addHandler(handler)
    try:
        logger.debug("not for operators")
        logger.info("scanning host %s", "node-1")
        logger.warning("host node-2 unreachable", extra={"related_object": "node-2", "related_object_type": "host"})
        logger.critical("store lost")
    finally:
        logger.removeHandler(handler)
    docs = messages.for_env(ENV)
    assert [d["level"] for d in docs] == ["info", "warn", "crit"]
    assert docs[0]["message"].endswith("|INFO|scanning host node-1")
    assert docs[1]["related_object"] == "node-2" and docs[1]["origin_id"] == "scan-9"
    assert docs[0]["source_system"] == "Calipso" and docs[0]["viewed"] is False
    assert len({d["id"] for d in docs}) == 3


def test_scan_claims_are_exclusive_and_leases_expire(initialized_store, clock):
    scans = Scans(initialized_store, clock=clock)
    first = scans.submit(ENV, log_level="info")
    clock.advance(seconds=1)
    second = scans.submit(ENV, object_id="node-1")
    got = scans.claim_next("manager-a", lease=timedelta(seconds=30))
    assert got["_id"] == first and got["status"] == "running" and got["owner"] == "manager-a"
    assert scans.claim_next("manager-b", lease=timedelta(seconds=30))["_id"] == second
    assert scans.claim_next("manager-b", lease=timedelta(seconds=30)) is None
    scans.finish(first, "completed", report={"objects": 3})
    clock.advance(seconds=31)
    assert scans.expire_leases() == [second]
    assert scans.get(second)["status"] == "failed" and "lease expired" in scans.get(second)["error"]
    assert scans.get(first)["status"] == "completed"
    with pytest.raises(ValueError):
        scans.submit(ENV, bogus=True)


def test_schedules_come_due_and_advance_once(initialized_store, clock):
    schedules = ScheduledScans(initialized_store, clock=clock)
    sid = schedules.add(ENV, "HOURLY", scheduled_timestamp=clock.now + timedelta(minutes=10))
    assert schedules.due() == []
    clock.advance(minutes=11)
    due = schedules.due()
    assert [d["_id"] for d in due] == [sid]
    when = due[0]["scheduled_timestamp"]
    assert schedules.advance(sid, when, clock.now + timedelta(hours=1))
    assert not schedules.advance(sid, when, clock.now + timedelta(hours=1)), "a second manager cannot fire it again"
    assert schedules.due() == []


def test_ids_are_stable_object_ids_across_rescans(initialized_store):
    from bson import ObjectId

    inv = Inventory(initialized_store)
    tree = build_tree(inv)
    first = inv.get(ENV, "node-1")["_id"]
    inv.upsert(tree.values())
    again = inv.get(ENV, "node-1")
    assert isinstance(first, ObjectId) and again["_id"] == first
    assert inv.get_by_object_id(first)["id"] == "node-1"


def test_upsert_survives_a_concurrent_insert_of_the_same_object(initialized_store):
    """Another writer (the listener) inserts the object between our look-up and our insert."""
    from app.store.bulk import upsert_by_id
    from app.store.keys import stable_id

    coll = initialized_store["race"]
    oid = stable_id("race", 1)
    seen = datetime(2026, 1, 1, tzinfo=timezone.utc)

    class LateCollection:
        """Looks like the collection, but its look-up misses the document the other writer just added."""

        def __getattr__(self, name):
            return getattr(coll, name)

        def find(self, *a, **kw):
            coll.insert_one({"_id": oid, "v": "theirs", "status": "Error"})
            return iter(())

    assert upsert_by_id(LateCollection(), [(oid, {"v": "ours"})], seen) == 1
    doc = coll.find_one({"_id": oid})
    assert doc["v"] == "ours" and doc["status"] == "Error"
    assert coll.count_documents({}) == 1
