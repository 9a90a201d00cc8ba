"""Events applied to the recorded Zed cloud: the store ends equal to a full scan of the same cloud.

The Zed recording is one state of a real cloud, so these tests put the store out of step with
it (an object missed, a phantom left over) and check that the matching event brings it back to
exactly what a full scan stores, through the scanner's own fetchers.
"""

from __future__ import annotations

import pytest

from app.inventory import Inventory
from app.links import Links
from listen.apply import Applier
from listen.envelope import encode_v2, parse
from listen.events import load
from tests.integration.listen.support import AMQP, add_env, diff, full_scan, snapshot
from tests.scan_support.zed import ENV, zed_clients

VM1 = "544716d7-d703-4f86-a60c-801a01f64b4d"
NET1 = "6707a661-73b6-41c8-80b9-9e60a9d8db44"
ROUTER = "f6cc210c-c99a-41e1-bd97-b4b16809f5f2"


@pytest.fixture
def zed(initialized_store):
    env = add_env(initialized_store, ENV)
    full_scan(initialized_store, "zed", zed_clients())
    applier = Applier(initialized_store, env, clients_factory=zed_clients(), serial=True)
    yield initialized_store, applier, snapshot(initialized_store, "zed")
    applier.close()


def plan_of(path_or_doc):
    n = parse(path_or_doc.read_bytes() if hasattr(path_or_doc, "read_bytes") else encode_v2(path_or_doc))
    return load()[n.event_type].plan(n)


def test_replaying_every_recorded_event_on_an_unchanged_cloud_changes_nothing(zed):
    store, applier, scanned = zed
    table = load()
    for path in sorted(AMQP.glob("*.json")):
        if path.name == "index.json":
            continue
        n = parse(path.read_bytes())
        if n.event_type in table:
            applier.apply([table[n.event_type].plan(n)])
    assert diff(snapshot(store, "zed"), scanned) == {}


def _remove_subtree(store, obj_id):
    inv = Inventory(store)
    oids = inv.delete_subtree("zed", obj_id)
    Links(store).delete_touching(oids)
    return oids


def test_a_missed_instance_comes_back_with_its_vnics_links_and_cliques(zed):
    store, applier, scanned = zed
    _remove_subtree(store, VM1)
    store["cliques"].delete_many({"focal_point_object_id": VM1})
    assert diff(snapshot(store, "zed"), scanned) != {}
    applier.apply([plan_of(AMQP / "compute.instance.create.end.json")])
    assert diff(snapshot(store, "zed"), scanned) == {}


def test_a_missed_router_comes_back_once_not_twice(zed):
    store, applier, scanned = zed
    _remove_subtree(store, f"compute1-qrouter-{ROUTER}")
    applier.apply([plan_of(AMQP / "router.create.end.json")])
    after = snapshot(store, "zed")
    assert diff(after, scanned) == {}
    assert len([k for k in after["inventory"] if k[1].endswith(ROUTER)]) == 1


def test_a_deleted_network_and_everything_below_it_leave_with_their_links_and_cliques(zed):
    store, applier, scanned = zed
    inv = Inventory(store)
    net = inv.get("zed", NET1, "network")
    ghost = dict(net, id="0000dead-0000-4000-8000-000000000000", name="ghost",
                 id_path=net["id_path"].replace(NET1, "0000dead-0000-4000-8000-000000000000"),
                 name_path=net["name_path"] + "-ghost")
    ghost.pop("_id")
    inv.upsert([ghost])
    assert diff(snapshot(store, "zed"), scanned) != {}
    applier.apply([plan_of({"event_type": "network.delete.end", "publisher_id": "network.vm",
                            "payload": {"network_id": ghost["id"]}, "message_id": "m1"})])
    assert diff(snapshot(store, "zed"), scanned) == {}


def test_a_deleted_instance_leaves_with_its_vnics_links_and_cliques(zed):
    store, applier, scanned = zed
    inv = Inventory(store)
    vm = inv.get("zed", VM1, "instance")
    ghost_id = "0000beef-0000-4000-8000-000000000000"
    docs = []
    for d in inv.subtree("zed", VM1):
        full = inv.get_by_object_id(d["_id"])
        full.pop("_id")
        full["id"] = full["id"].replace(VM1, ghost_id) if full["id"].startswith(VM1) else full["id"] + "-ghost"
        full["id_path"] = full["id_path"].replace(VM1, ghost_id)
        full["parent_id"] = full["parent_id"].replace(VM1, ghost_id)
        if full["type"] == "vnic":
            full["id_path"] = full["id_path"].rsplit("/", 1)[0] + "/" + full["id"]
        docs.append(full)
    inv.upsert(docs)
    assert inv.get("zed", ghost_id, "instance") is not None
    applier.apply([plan_of({"event_type": "compute.instance.delete.end", "publisher_id": "compute.compute1",
                            "payload": {"instance_id": ghost_id, "host": vm["host"]}, "message_id": "m2"})])
    assert inv.get("zed", ghost_id, "instance") is None
    assert diff(snapshot(store, "zed"), scanned) == {}


def test_power_off_sets_the_instance_status_and_power_on_restores_it(zed):
    store, applier, _ = zed
    applier.apply([plan_of(AMQP / "compute.instance.power_off.end.json")])
    n = parse((AMQP / "compute.instance.power_off.end.json").read_bytes())
    iid = n.payload["instance_id"]
    # the recorded vm-tmp2 is gone from the recorded cloud; use vm1 for the status round trip
    off = {"event_type": "compute.instance.power_off.end", "publisher_id": "compute.compute1", "message_id": "m3",
           "payload": {"instance_id": VM1, "host": "compute1", "state": "stopped"}}
    on = dict(off, event_type="compute.instance.power_on.end", payload=dict(off["payload"], state="active"))
    applier.apply([plan_of(off)])
    assert Inventory(store).get("zed", VM1, "instance")["status"] == "SHUTOFF"
    applier.apply([plan_of(on)])
    assert Inventory(store).get("zed", VM1, "instance")["status"] == "ACTIVE"
    assert Inventory(store).get("zed", iid, "instance") is None
