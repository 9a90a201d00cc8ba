"""A distributed scan through faults: a worker killed in the middle of a part, the broker cut for 20 s,
the store killed and started again while the parts are merged. Each scan completes with what a local
scan finds, document by document (or would fail clearly, writing nothing).

The simulated cloud answers SSH slowly here (0.25 s a command), so a part takes seconds and a fault
lands while work is under way.
"""

from __future__ import annotations

import os
import signal
import threading
import time

import pytest

from app.store.embedded import EmbeddedStore
from scan.controller import ScanController, ScanOptions
from scan.distributed.workspace import Workspace
from tests.integration.listen.tcpproxy import TcpProxy
from tests.integration.scan.distributed_support import ENV, cloud, differences, fresh_store, picture, work_collections  # noqa: F401
from tests.scan_support.workers import Workers


@pytest.fixture
def slow_ssh(cloud):  # noqa: F811
    cloud.conditions.latency = {"ssh": 0.25}
    yield
    cloud.conditions.latency = {}


class Scan(threading.Thread):
    """The asking scan, in this process, while the test breaks things around it."""

    def __init__(self, store, distribution):
        super().__init__(daemon=True)
        self.store, self.distribution, self.result = store, distribution, None

    def run(self):
        self.result = ScanController(self.store, ScanOptions(env=ENV, distributed=True),
                                     distribution=self.distribution).run()


def wait_for(predicate, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value is not None and value is not False:
            return value
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_worker_killed_mid_part_has_its_hosts_redone(cloud, slow_ssh, store_uri, calipso_home, rabbitmq,  # noqa: F811
                                                       tmp_path):
    store = fresh_store(store_uri, cloud.env)
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home), "CALIPSO_MONGO_URI": f"{store_uri}{store.db.name}"}
    try:
        with Workers(2, env, tmp_path / "logs", broker=rabbitmq) as pool:
            scan = Scan(store, pool.distribution())
            scan.start()
            victim = wait_for(pool.busy, 120, "a worker in the middle of a part")
            pool.kill(victim)
            scan.join(300)
            assert not scan.is_alive(), "the scan did not end"
            assert pool.log(victim).splitlines()[-1].rstrip().endswith("started")   # it died mid-part
        assert scan.result.status == "completed", scan.result.reason
        assert differences(cloud.reference, picture(store)) == []
        survivor = f"worker-{1 - victim}"
        parts = scan.result.report["distributed"]
        assert parts["parts_by_worker"].get(survivor, 0) >= 1 and sum(parts["parts_by_worker"].values()) == parts["parts"]
        assert work_collections(store) == []
    finally:
        store.client.drop_database(store.db.name)
        store.close()


def test_the_last_worker_killed_fails_the_scan_and_nothing_is_written(cloud, slow_ssh, store_uri,  # noqa: F811
                                                                      calipso_home, rabbitmq, tmp_path):
    store = fresh_store(store_uri, cloud.env)
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home), "CALIPSO_MONGO_URI": f"{store_uri}{store.db.name}"}
    try:
        with Workers(1, env, tmp_path / "logs", broker=rabbitmq) as pool:
            scan = Scan(store, pool.distribution(no_worker_grace=3.0))
            scan.start()
            pool.kill(wait_for(pool.busy, 120, "the worker in the middle of a part"))
            scan.join(120)
            assert not scan.is_alive(), "the scan did not end"
        assert scan.result.status == "failed"
        assert "no scan worker has been running for 3 s" in scan.result.reason and "nothing was written" in scan.result.reason
        assert store["inventory"].count_documents({"environment": ENV}) == 0
        assert store["links"].count_documents({"environment": ENV}) == 0
        assert work_collections(store) == []
    finally:
        store.client.drop_database(store.db.name)
        store.close()


def test_the_broker_cut_for_20_seconds(cloud, slow_ssh, store_uri, calipso_home, rabbitmq, tmp_path):  # noqa: F811
    store = fresh_store(store_uri, cloud.env)
    env = {**os.environ, "CALIPSO_HOME": str(calipso_home), "CALIPSO_MONGO_URI": f"{store_uri}{store.db.name}"}
    proxy = TcpProxy(("127.0.0.1", 5672))
    via_proxy = f"amqp://guest:guest@127.0.0.1:{proxy.port}//"
    try:
        with Workers(2, env, tmp_path / "logs", broker=via_proxy) as pool:
            # a part per host: the workers take 2 each at once, the others wait in the queue for them to come back
            scan = Scan(store, pool.distribution(parts_per_worker=8))
            scan.start()
            wait_for(pool.busy, 120, "a worker in the middle of a part")
            proxy.cut()               # workers and the asking scan lose the broker together
            time.sleep(20)
            proxy.restore()
            scan.join(300)
            assert not scan.is_alive(), "the scan did not end"
            logs = pool.log(0) + pool.log(1)
        assert scan.result.status == "completed", scan.result.reason
        assert "lost the broker" in logs and "broker back after" in logs, logs
        assert differences(cloud.reference, picture(store)) == []
        assert work_collections(store) == []
    finally:
        proxy.close()
        store.client.drop_database(store.db.name)
        store.close()


def test_the_store_killed_and_started_again_mid_merge(cloud, store_uri, rabbitmq, tmp_path, monkeypatch):  # noqa: F811
    home = tmp_path / "home"
    uri = EmbeddedStore(home).ensure_running()
    store = fresh_store(uri, cloud.env, home=str(home))
    env = {**{k: v for k, v in os.environ.items() if not k.startswith("CALIPSO_")},
           "CALIPSO_HOME": str(home), "CALIPSO_MONGO_URI": f"{uri}{store.db.name}"}
    original, kills = Workspace.result, []

    def result(self, marker):
        if not kills:           # the first part merged: kill the store under the scan
            state = EmbeddedStore(home).read_state()
            os.kill(state.pid, signal.SIGKILL)
            kills.append(state.pid)
        return original(self, marker)

    monkeypatch.setattr(Workspace, "result", result)
    try:
        with Workers(2, env, tmp_path / "logs", broker=rabbitmq) as pool:
            scan = Scan(store, pool.distribution())
            scan.start()
            scan.join(300)
            assert not scan.is_alive(), "the scan did not end"
        assert kills, "the store was never killed"
        after = EmbeddedStore(home).read_state()
        assert after.pid != kills[0] and after.uri == uri          # started again, on its port
        assert scan.result.status == "completed", scan.result.reason     # it waited for the store
        assert differences(cloud.reference, picture(store)) == []
        assert work_collections(store) == []
    finally:
        try:
            store.client.drop_database(store.db.name)
        finally:
            store.close()
            EmbeddedStore(home).stop()
