"""`calipso monitoring handle`: one event on stdin, as a Sensu server's pipe handler gets it, in the
Sensu 1.x and Sensu Go formats (shaped as their documentation shows them); malformed and unknown
events are recorded in failed_events with the reason, and the exit status and one line on stderr say
so; hostile bodies (deep, huge, out of range, for an environment without monitoring) too, with no
traceback and nothing changed."""

from __future__ import annotations

import json
import subprocess
import sys
import time

import pytest

from app.inventory import Inventory
from app.links import Links, new_link

ENV = "stdin-env"


def seed(store):
    inv = Inventory(store)
    docs = []
    for t, i, extra in (("host", "node-1", {}), ("vedge", "v-1", {"host": "node-1"}),
                        ("host_pnic", "eth1-fa:16:3e:00:00:01", {"host": "node-1", "name": "eth1"}),
                        ("otep", "node-1-otep", {"host": "node-1", "ports": [{"name": "vxlan-0a000002",
                                                                              "type": "vxlan"}]}),
                        ("otep", "node-2-otep", {"host": "node-1", "tunnels": {     # as the scanner stores them
                            "overlay_type": "vxlan", "local_ip": "10.0.0.3", "except": [], "other": []}})):
        docs.append({"environment": ENV, "type": t, "id": i, "name": i, "id_path": f"/{ENV}/{i}",
                     "name_path": f"/{ENV}/{i}", **extra})
    inv.upsert(docs)
    v = inv.get(ENV, "v-1", "vedge")
    p = inv.get(ENV, "eth1-fa:16:3e:00:00:01", "host_pnic")
    Links(store).upsert([new_link(ENV, v, p, "vedge-host_pnic")])


def sensu1_event(name: str, status: int, output: str, executed: int) -> dict:
    """Sensu 1.x event data (docs.sensu.io sensu-core 1.x reference/events: id, action, occurrences, check, client)."""
    return {"id": "ef6b87d2-1f89-439f-8bea-33881436ab90", "action": "create", "timestamp": executed,
            "occurrences": 1,
            "check": {"type": "metric", "total_state_change": 0, "history": [str(status)], "status": status,
                      "output": output, "executed": executed, "issued": executed, "name": name,
                      "command": "check_vedge_ovs.py", "interval": 15, "standalone": True,
                      "handlers": ["file", "osdna-monitor"]},
            "client": {"timestamp": executed, "version": "1.2.0", "socket": {"port": 3030, "bind": "127.0.0.1"},
                       "subscriptions": [], "environment": ENV, "name": f"{ENV}-node-1",
                       "address": f"{ENV}-node-1"}}


def sensu_go_event(name: str, status: int, output: str, executed: int) -> dict:
    """Sensu Go event (docs.sensu.io sensu-go reference/events, the resource form with type/spec)."""
    return {"type": "Event", "api_version": "core/v2", "metadata": {"namespace": "default"},
            "spec": {"check": {"command": "check_pnic_ovs.py eth1", "duration": 0.01, "executed": executed,
                               "history": [{"executed": executed, "status": status}], "interval": 15,
                               "issued": executed, "last_ok": executed,
                               "metadata": {"name": name, "namespace": "default"}, "occurrences": 1,
                               "output": output, "state": "passing" if status == 0 else "failing",
                               "status": status, "subscriptions": ["base"]},
                     "entity": {"entity_class": "agent", "metadata": {"name": f"{ENV}-node-1", "namespace": "default",
                                                                      "labels": {"calipso_environment": ENV}},
                                "subscriptions": ["base"], "system": {"hostname": "node-1"}},
                     "id": "3a5948f3-6ffd-4ea2-a41e-334f4a72ca2f", "timestamp": executed}}


def handle(cli_env, payload) -> subprocess.CompletedProcess:
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    return subprocess.run([sys.executable, "-m", "app.cli.main", "monitoring", "handle"], input=data,
                          capture_output=True, env=cli_env, timeout=120)


@pytest.fixture
def store_env(cli_env):
    from app.store.init import init_db
    from app.store.store import Store, StoreLocation
    s = Store.connect(StoreLocation(cli_env["CALIPSO_MONGO_URI"], "test", embedded=True))
    init_db(s)
    seed(s)
    s["environments_config"].insert_one({"name": ENV, "enable_monitoring": True})
    s["environments_config"].insert_one({"name": "quiet-env", "enable_monitoring": False})
    yield s
    s.client.drop_database(s.db.name)
    s.close()


def test_sensu1_and_sensu_go_events_set_status_and_the_derived_link(cli_env, store_env):
    now = int(time.time())
    r = handle(cli_env, sensu1_event("vedge_v-1", 0, "ovsdb-server and ovs-vswitchd running", now))
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["handled"] == 1
    r = handle(cli_env, sensu_go_event("host_pnic_eth1-fa---..58..---16---..58..---3e---..58..---00---..58..---00"
                                       "---..58..---01", 2, "eth1 is DOWN", now + 1))
    assert r.returncode == 0, r.stderr
    pnic = store_env["inventory"].find_one({"environment": ENV, "type": "host_pnic"})
    assert (pnic["status"], pnic["status_value"], pnic["status_text"]) == ("Error", 2, "eth1 is DOWN")
    vedge = store_env["inventory"].find_one({"environment": ENV, "type": "vedge"})
    assert vedge["status"] == "OK"
    link = store_env["links"].find_one({"environment": ENV})
    assert link["status"] == "Warning"
    levels = sorted(m["level"] for m in store_env["messages"].find({"environment": ENV, "source_system": "Sensu"}))
    assert levels == ["error", "info", "warn"]


def test_otep_port_results_roll_up(cli_env, store_env):
    now = int(time.time())
    r = handle(cli_env, [sensu1_event("otep_node-1-otep_vxlan-0a000002", 2, "100% packet loss", now)])
    assert r.returncode == 0, r.stderr
    otep = store_env["inventory"].find_one({"environment": ENV, "type": "otep"})
    assert otep["status"] == "Error" and otep["ports"][0]["status"] == "Error"


def test_otep_port_results_of_a_mesh_kept_as_its_difference_roll_up(cli_env, store_env):
    now = int(time.time())
    r = handle(cli_env, [sensu1_event("otep_node-2-otep_vxlan-0a000002", 0, "0% packet loss", now),
                         sensu1_event("otep_node-2-otep_vxlan-0a000004", 2, "100% packet loss", now)])
    assert r.returncode == 0, r.stderr
    otep = store_env["inventory"].find_one({"environment": ENV, "type": "otep", "id": "node-2-otep"})
    assert otep["status"] == "Warning" and "ports" not in otep
    assert {n: s["status"] for n, s in otep["tunnel_status"].items()} == {"vxlan-0a000002": "OK",
                                                                          "vxlan-0a000004": "Error"}


@pytest.mark.parametrize("payload,reason", [
    (b"{not json", "not JSON"),
    ({"check": {"name": "vedge_v-1", "status": 0}}, "no 'client'"),
    ({"client": "nobody-knows", "check": {"name": "vedge_v-1", "status": 0}}, "belongs to no environment"),
    (None, "no vedge 'nope'"),
    ({"client": {"name": "x", "environment": ENV}, "check": {"name": "vedge_v-1", "status": "bad"}}, "status"),
    ({"client": {"name": "x", "environment": ENV}, "check": {"name": "keepalive", "status": 0}}, "known object type"),
])
def test_malformed_and_unknown_events_are_recorded_with_the_reason(cli_env, store_env, payload, reason):
    if payload is None:
        payload = sensu1_event("vedge_nope", 0, "ok", int(time.time()))
    r = handle(cli_env, payload)
    assert r.returncode == 1
    failed = list(store_env["failed_events"].find({"source_system": "Sensu"}))
    assert len(failed) == 1 and reason in failed[0]["reason"], failed


def _poison(now: int) -> list:
    deep = b"[" * 100_000 + b"]" * 100_000
    huge_status = sensu1_event("vedge_v-1", 0, "ok", now)
    huge_status["check"]["status"] = 10 ** 30
    future = sensu1_event("vedge_v-1", 0, "ok", now + 10 * 365 * 86400)
    quiet = sensu1_event("vedge_v-1", 2, "down", now)
    quiet["client"]["environment"] = "quiet-env"
    nested = sensu1_event("vedge_v-1", 0, "ok", now)
    nested["check"]["extra"] = json.loads("[" * 200 + "]" * 200)
    big_id = sensu1_event("vedge_v-1", 0, "ok", now)
    big_id["id"] = 10 ** 5000
    return [(deep, "nested"), (huge_status, "from 0 to 255"), (future, "in the future"),
            (quiet, "monitoring off"), (nested, "nested"), (b"x" * (300 * 1024), "over the limit"),
            ([sensu1_event("vedge_v-1", float("inf"), "ok", now)], "status")]


@pytest.mark.parametrize("case", range(7))
def test_hostile_events_end_as_failed_events_with_one_line_and_change_nothing(cli_env, store_env, case):
    payload, reason = _poison(int(time.time()))[case]
    data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    r = handle(cli_env, data)
    assert r.returncode == 1
    lines = r.stderr.decode().strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("calipso monitoring handle: ") and reason in lines[0], lines
    failed = list(store_env["failed_events"].find({"source_system": "Sensu"}))
    assert len(failed) == 1 and reason in failed[0]["reason"], failed
    assert "status" not in store_env["inventory"].find_one({"environment": ENV, "type": "vedge"})
    assert store_env["messages"].count_documents({"source_system": "Sensu"}) == 0
