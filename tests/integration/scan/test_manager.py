"""The scan manager over the embedded store: atomic claims, leases, schedules, connection tests."""

from __future__ import annotations

import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone

from app.scans import Scans, ScheduledScans
from scan.controller import ScanResult
from scan.manager import ScanManager
from scan.schedules import next_run
from tests.scan_support.zed import ENV


class Clock:
    def __init__(self, t: datetime):
        self.t = t

    def __call__(self) -> datetime:
        return self.t


def test_two_managers_run_each_of_20_scans_exactly_once(initialized_store):
    scans = Scans(initialized_store)
    ids = [scans.submit(f"env{i % 3}") for i in range(20)]
    runs: list = []
    lock = threading.Lock()

    def fake_run(store, options, scan_id):
        with lock:
            runs.append(scan_id)
        return ScanResult("completed", {"objects": {}})

    managers = [ScanManager(initialized_store, owner=f"m{i}", run_scan=fake_run) for i in range(2)]

    def drain(m):
        while m.run_next_scan() is not None:
            pass

    threads = [threading.Thread(target=drain, args=(m,)) for m in managers]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert sorted(runs) == sorted(ids)
    docs = list(scans.coll.find({}))
    assert {d["status"] for d in docs} == {"completed"}
    assert {d["owner"] for d in docs} <= {"m0", "m1"}


def test_scan_of_a_dead_manager_fails_when_its_lease_expires(initialized_store):
    clock = Clock(datetime(2030, 1, 1, tzinfo=timezone.utc))
    scans = Scans(initialized_store, clock)
    scan_id = scans.submit("env1")
    assert scans.claim_next("dead-manager", timedelta(seconds=30))["_id"] == scan_id
    alive = ScanManager(initialized_store, owner="alive", clock=clock, run_scan=lambda *a: ScanResult("completed"))
    alive.tick()
    assert scans.get(scan_id)["status"] == "running"
    clock.t += timedelta(seconds=31)
    alive.tick()
    doc = scans.get(scan_id)
    assert doc["status"] == "failed" and "lease expired" in doc["error"]


def test_a_schedule_fires_at_its_time_and_the_scan_really_runs(initialized_store):
    clock = Clock(datetime(2030, 1, 1, 12, 0, tzinfo=timezone.utc))
    ran = []
    m = ScanManager(initialized_store, owner="m", clock=clock,
                    run_scan=lambda store, o, sid: ran.append((o.env, o.origin_type)) or ScanResult("completed"))
    sched = ScheduledScans(initialized_store, clock)
    sid = sched.add("env1", "DAILY", scheduled_timestamp=datetime(2030, 1, 1, 13, 0, tzinfo=timezone.utc),
                    scan_only_inventory=True)
    m.tick()
    assert ran == []
    clock.t = datetime(2030, 1, 1, 13, 0, 5, tzinfo=timezone.utc)
    m.tick()
    assert ran == [("env1", "scheduled scan")]
    doc = sched.coll.find_one({"_id": sid})
    assert doc["status"] == "ongoing"
    assert doc["scheduled_timestamp"].replace(tzinfo=timezone.utc) == datetime(2030, 1, 2, 13, 0, tzinfo=timezone.utc)
    scan = Scans(initialized_store).coll.find_one({"schedule_id": {"$in": [sid]}})
    assert scan["status"] == "completed" and scan["scan_only_inventory"] is True
    m.tick()
    assert len(ran) == 1                       # not again before tomorrow


def test_v1_style_schedule_with_freq_runs_without_waiting_an_interval(initialized_store):
    clock = Clock(datetime(2030, 1, 1, tzinfo=timezone.utc))
    ran = []
    m = ScanManager(initialized_store, owner="m", clock=clock, run_scan=lambda s, o, i: ran.append(o.env) or ScanResult("completed"))
    initialized_store["scheduled_scans"].insert_one({"environment": "old", "freq": "WEEKLY", "log_level": "warning"})
    m.tick()
    m.tick()
    assert ran == ["old"]


def test_next_run_is_calendar_aware_and_skips_missed_runs():
    jan31 = datetime(2030, 1, 31, 10, 0)
    assert next_run(jan31, "MONTHLY", jan31) == datetime(2030, 2, 28, 10, 0)
    assert next_run(jan31, "DAILY", datetime(2030, 2, 3, 12, 0)) == datetime(2030, 2, 4, 10, 0)
    assert next_run(jan31, "ONCE", jan31) is None
    assert next_run(datetime(2028, 2, 29), "YEARLY", datetime(2028, 3, 1)) == datetime(2029, 2, 28)


def test_connection_tests_answer_each_section_clearly(initialized_store, mariadb):
    coll = initialized_store["connection_tests"]
    req = coll.insert_one({"environment": "x", "status": "request", "submit_timestamp": datetime.now(timezone.utc),
                           "test_targets": ["mysql", "OpenStack", "CLI", "ACI", "Kubernetes"],
                           "targets_configuration": [
                               {"name": "mysql", "host": "127.0.0.1", "port": 3306, "user": "root", "pwd": ""},
                               {"name": "OpenStack", "host": "127.0.0.1", "port": 9, "user": "admin", "pwd": "x"},
                               {"name": "CLI", "host": "127.0.0.1", "port": 9, "user": "root", "pwd": "x"}]}).inserted_id
    m = ScanManager(initialized_store, owner="m", run_scan=lambda *a: ScanResult("completed"))
    m.tick()
    doc = coll.find_one({"_id": req})
    assert doc["status"] == "response"
    assert doc["test_results"] == {"mysql": True, "OpenStack": False, "CLI": False, "ACI": False, "Kubernetes": False}
    assert "cannot connect" in doc["errors"]["OpenStack"] and "127.0.0.1" in doc["errors"]["OpenStack"]
    assert "127.0.0.1" in doc["errors"]["CLI"]
    assert doc["errors"]["ACI"] == "no ACI configuration given"
    assert "no connection test for 'Kubernetes'" in doc["errors"]["Kubernetes"]


def test_connection_test_amqp(initialized_store, rabbitmq):
    coll = initialized_store["connection_tests"]
    req = coll.insert_one({"status": "request", "test_targets": ["AMQP"], "targets_configuration": [
        {"name": "AMQP", "host": "127.0.0.1", "port": 5672, "user": "guest", "pwd": "guest"}]}).inserted_id
    ScanManager(initialized_store, owner="m").tick()
    assert coll.find_one({"_id": req})["test_results"] == {"AMQP": True}


def test_calipso_scan_unknown_environment_exits_2_listing_known_ones(cli_env, tmp_path):
    import json
    f = tmp_path / "env.json"
    f.write_text(json.dumps(ENV))
    add = subprocess.run([sys.executable, "-m", "app.cli.main", "env", "add", str(f)], env=cli_env,
                         capture_output=True, text=True, timeout=120)
    assert add.returncode == 0, add.stderr
    r = subprocess.run([sys.executable, "scan/scan.py", "-e", "nope"], env=cli_env, capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "unknown environment 'nope'" in r.stderr and "zed" in r.stderr
    r = subprocess.run([sys.executable, "-m", "app.cli.main", "scan", "-e", "zed", "--max-calls", "2"],
                       env=cli_env, capture_output=True, text=True, timeout=120)
    assert r.returncode == 1 and "cannot scan zed" in r.stderr and "127.0.0.1" in r.stderr
    assert "zed-secret-pw" not in r.stderr + r.stdout
