"""The whole loop over RabbitMQ, as in production without a Sensu server: a scanned simulated cloud
deploys its checks, the simulated hosts run them and publish Sensu 1.x results to the `results`
exchange, `calipso monitoring`'s consumer folds them into the store.

Intervals are scaled (15 s -> 1.5 s). The bounds allow for a loaded test machine; the benchmark
measures the real latency.
"""

from __future__ import annotations

import time

import pytest

from tests.integration.monitoring.support import INTERVAL, start, wait_for

SLACK = 20.0   # a loaded CI machine; the real figure is in `make bench`


@pytest.fixture
def loop(initialized_store, tmp_path, rabbitmq):
    lp = start(initialized_store, tmp_path, rabbitmq)
    assert lp.scan.status == "completed", lp.scan.report.get("errors")
    lp.consume()
    yield lp
    lp.close()


def checked(store, env):
    from monitoring import config_store
    from monitoring.results.names import decode
    from monitoring.results.processor import Processor
    p = Processor(store)
    out = set()
    for d in config_store.load(store, env):
        for name in (d["config"].get("checks") or {}):
            t = decode(name, p.object_types, p.link_types)
            out.add(("links", (t.type, t.id, t.target_id)) if t.kind == "link" else ("inventory", (t.type, t.id)))
    return out


def statuses(store, env) -> dict:
    out = {}
    for d in store["inventory"].find({"environment": env, "status_value": {"$exists": True}}):
        out[("inventory", (d["type"], d["id"]))] = d
    for d in store["links"].find({"environment": env, "status_value": {"$exists": True}}):
        out[("links", (d["link_type"], d["source_id"], d["target_id"]))] = d
    return out


def messages(store, env, related):
    return list(store["messages"].find({"environment": env, "source_system": "Sensu", "related_object": related}))


def test_every_checked_object_gets_a_status_and_faults_turn_red_and_back(loop):
    store, env = loop.store, loop.name
    expected = checked(store, env)
    assert len(expected) > 20
    started = time.monotonic()
    wait_for(lambda: expected <= set(statuses(store, env)), 2 * INTERVAL + SLACK, "every checked object has a status")
    first = time.monotonic() - started
    now = statuses(store, env)
    assert {d["status"] for k, d in now.items() if k in expected} == {"OK"}, \
        {k: d["status_text"] for k, d in now.items() if d["status"] != "OK"}
    assert first < 2 * INTERVAL + SLACK
    # the vEdge–pNIC link is derived from both ends
    link = store["links"].find_one({"environment": env, "link_type": "vedge-host_pnic"})
    assert link is not None
    wait_for(lambda: store["links"].find_one({"_id": link["_id"]}).get("status") == "OK", SLACK, "derived link OK")
    pnic_id, host = link["target_id"], link["host"]

    loop.conditions.add(host, "pnic-down")
    wait_for(lambda: store["inventory"].find_one({"environment": env, "type": "host_pnic", "id": pnic_id})
             .get("status") == "Error", 2 * INTERVAL + SLACK, "the pNIC turns Error")
    wait_for(lambda: store["links"].find_one({"_id": link["_id"]}).get("status") == "Warning", SLACK,
             "the vEdge–pNIC link turns Warning")
    pnic = store["inventory"].find_one({"environment": env, "type": "host_pnic", "id": pnic_id})
    assert "DOWN" in pnic["status_text"] and pnic["status_value"] == 2
    time.sleep(3 * INTERVAL)   # more results of the same state: no more messages
    msgs = messages(store, env, pnic_id)
    assert [m["level"] for m in sorted(msgs, key=lambda m: m["timestamp"])] == ["info", "error"]
    assert len(messages(store, env, f"link_{link['source_id']}_{pnic_id}")) == 2   # OK, then Warning

    loop.conditions.remove(host, "pnic-down")
    wait_for(lambda: store["inventory"].find_one({"environment": env, "type": "host_pnic", "id": pnic_id})
             .get("status") == "OK", 2 * INTERVAL + SLACK, "the pNIC is back to OK")
    wait_for(lambda: store["links"].find_one({"_id": link["_id"]}).get("status") == "OK", SLACK, "link back to OK")
    assert [m["level"] for m in sorted(messages(store, env, pnic_id), key=lambda m: m["timestamp"])] == \
        ["info", "error", "info"]
    assert loop.consumer.outcome.failed == 0, loop.consumer.outcome.reasons


def test_ovs_down_dead_dhcp_and_a_stopped_vm(loop):
    store, env, model = loop.store, loop.name, loop.sim.live_model
    expected = checked(store, env)
    wait_for(lambda: expected <= set(statuses(store, env)), 2 * INTERVAL + SLACK, "every checked object has a status")
    dhcp = store["inventory"].find_one({"environment": env, "type": "vservice", "service_type": "dhcp"})
    vedge = store["inventory"].find_one({"environment": env, "type": "vedge", "host": "cmp-1"})
    inst = store["inventory"].find_one({"environment": env, "type": "instance"})
    loop.conditions.add("cmp-1", "ovs-down")
    loop.conditions.add(dhcp["host"], "dhcp-down")
    model.stop_server(inst["id"])

    def state(t, i):
        return (store["inventory"].find_one({"environment": env, "type": t, "id": i}) or {}).get("status")
    wait_for(lambda: state("vedge", vedge["id"]) == "Error", 2 * INTERVAL + SLACK, "vEdge Error when OVS is down")
    wait_for(lambda: state("vservice", dhcp["id"]) == "Error", 2 * INTERVAL + SLACK, "DHCP Error without dnsmasq")
    wait_for(lambda: state("instance", inst["id"]) == "Warning", 2 * INTERVAL + SLACK, "a shut-off VM is Warning")
