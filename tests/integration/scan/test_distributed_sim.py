"""One scan over several `calipso scan-worker` processes (RabbitMQ for work, the store for results) finds
what a local scan finds, document by document; with no worker it fails at once and writes nothing.

Workers are real processes on a queue of the test's own, against the real RabbitMQ; the simulated
cloud runs in this process and the workers reach it over its sockets.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from app.scans import Scans
from scan.controller import ScanController, ScanOptions
from scan.manager import ScanManager
from tests.integration.scan.distributed_support import ENV, cloud, differences, fresh_store, picture, work_collections  # noqa: F401
from tests.scan_support.workers import Workers



@pytest.fixture
def target(cloud, store_uri, calipso_home):
    store = fresh_store(store_uri, cloud.env)
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home), "CALIPSO_MONGO_URI": f"{store_uri}{store.db.name}"}
    yield store, env
    store.client.drop_database(store.db.name)
    store.close()


def _reads_of(monkeypatch, table: str) -> list[str]:
    """Each query the simulated database answers that reads `table` (schema.name) adds an entry."""
    from sqlglot import exp

    from simulator.mysql.engine import Snapshot

    seen: list[str] = []
    answer = Snapshot.query

    def query(self, statement, database):
        if any(f"{t.db}.{t.name}" == table for t in statement.find_all(exp.Table)):
            seen.append(statement.sql())
        return answer(self, statement, database)
    monkeypatch.setattr(Snapshot, "query", query)
    return seen


def test_two_workers_find_what_a_local_scan_finds(cloud, target, rabbitmq, tmp_path, monkeypatch):
    store, env = target
    instance_reads = _reads_of(monkeypatch, "nova.instances")
    with Workers(2, env, tmp_path / "logs", broker=rabbitmq) as pool:
        run = subprocess.run([sys.executable, "-m", "app.cli.main", "scan", "-e", ENV, "--distributed",
                              "--broker", rabbitmq, "--work-queue", pool.queue.name],
                             env=env, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stderr[-3000:]
    assert differences(cloud.reference, picture(store)) == []
    report = store["scans"].find_one({"environment": ENV})["report"]["distributed"]
    hosts = len([k for k, v in cloud.reference.items() if k.startswith("inventory:") and v["doc"]["type"] == "host"])
    assert report["workers"] == 2 and report["hosts"] == hosts and sum(report["parts_by_worker"].values()) == report["parts"]
    assert len(report["parts_by_worker"]) == 2, report      # both workers took parts
    # the cloud-wide tables are read once by each worker, not again for each of its parts
    assert report["parts"] == 4 and 1 <= len(instance_reads) <= 2, instance_reads
    assert work_collections(store) == []                    # the scan's temporary collection is gone
    rescan = ScanController(store, ScanOptions(env=ENV)).run()   # a local rescan finds nothing to write
    assert rescan.status == "completed" and sum(rescan.report["store_writes"].values()) == 0, rescan.report


def test_no_worker_running_says_so_and_writes_nothing(cloud, target, rabbitmq):
    store, env = target
    queue = f"calipso-test-work-nobody-{os.getpid()}"
    run = subprocess.run([sys.executable, "-m", "app.cli.main", "scan", "-e", ENV, "--distributed",
                          "--broker", rabbitmq, "--work-queue", queue], env=env, capture_output=True, text=True,
                         timeout=120)
    assert run.returncode == 1
    assert "no scan worker is running" in run.stderr and queue in run.stderr and "guest:guest" not in run.stderr
    assert store["inventory"].count_documents({"environment": ENV}) == 0
    assert store["scans"].find_one({"environment": ENV})["status"] == "failed"
    assert work_collections(store) == []


def test_broker_unreachable_fails_clearly(cloud, target):
    store, env = target
    run = subprocess.run([sys.executable, "-m", "app.cli.main", "scan", "-e", ENV, "--distributed",
                          "--broker", "amqp://guest:secret-pw@127.0.0.1:1//"], env=env, capture_output=True,
                         text=True, timeout=120)
    assert run.returncode == 1
    assert "cannot reach the broker" in run.stderr and "secret-pw" not in run.stderr
    assert store["inventory"].count_documents({"environment": ENV}) == 0


def test_scan_request_with_distributed_true(cloud, target, rabbitmq, tmp_path):
    store, env = target
    with Workers(1, env, tmp_path / "logs", broker=rabbitmq) as pool:
        manager = ScanManager(store, run_scan=lambda s, o, sid: ScanController(
            s, o, scan_id=sid, distribution=pool.distribution()).run())
        scan_id = Scans(store).submit(ENV, distributed=True)
        manager.run_next_scan()
    doc = store["scans"].find_one({"_id": scan_id})
    assert doc["status"] == "completed", doc.get("error")
    assert doc["report"]["distributed"]["parts_by_worker"] == {"worker-0": doc["report"]["distributed"]["parts"]}
    assert differences(cloud.reference, picture(store)) == []


def test_scan_request_with_distributed_true_and_no_worker(cloud, target, rabbitmq):
    store, _ = target
    from scan.distributed.broker import WorkQueue
    from scan.distributed.coordinator import Distribution
    queue = WorkQueue(rabbitmq, f"calipso-test-work-nobody-{os.getpid()}")
    manager = ScanManager(store, run_scan=lambda s, o, sid: ScanController(
        s, o, scan_id=sid, distribution=Distribution(queue)).run())
    scan_id = Scans(store).submit(ENV, distributed=True)
    manager.run_next_scan()
    doc = store["scans"].find_one({"_id": scan_id})
    assert doc["status"] == "failed" and "no scan worker is running" in doc["error"]
    assert store["inventory"].count_documents({"environment": ENV}) == 0
