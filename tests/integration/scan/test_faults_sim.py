"""Faults injected into the simulated cloud: each time the scan ends with the error named, and
nothing that could be scanned is lost; entry-point failures fail the scan at once, cleanly."""

from __future__ import annotations

import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.controller import ScanController, ScanOptions

pytest.importorskip("simulator.faults")
from simulator.faults import Conditions  # noqa: E402
from tests.scan_support.sim import start_in_process  # noqa: E402


@pytest.fixture
def run_with(store_uri, tmp_path):
    started = []

    def run(faults: dict[str, set[str]], rescan_store=None):
        name = f"f{uuid.uuid4().hex[:6]}"
        sim = start_in_process(name, tmp_path / name, computes=3, instances=3, conditions=Conditions(faults=faults))
        started.append(sim)
        store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        res = ScanController(store, ScanOptions(env=name)).run()
        docs = list(store["inventory"].find({"environment": name}))
        return res, docs, sim.model, store

    yield run
    for s in started:
        s.stop()


def test_a_host_down(run_with):
    res, docs, model, _ = run_with({"cmp-2": {"down"}})
    assert res.status == "completed_with_errors"
    assert list(res.report["errors"]) == ["cmp-2"]
    hosts = {d["id"] for d in docs if d["type"] == "host"}
    assert hosts == {h["name"] for h in model["hosts"]}             # cmp-2 itself is known from Nova
    other = {i["id"] for i in model["instances"] if i["host"] != "cmp-2"}
    assert other <= {d["id"] for d in docs if d["type"] == "instance"}
    vnic_hosts = {d["host"] for d in docs if d["type"] == "vnic"}
    assert "cmp-2" not in vnic_hosts and "cmp-1" in vnic_hosts


def test_garbage_from_a_host_names_host_and_command(run_with):
    res, docs, model, _ = run_with({"cmp-1": {"garbage"}})
    assert res.status == "completed_with_errors"
    assert set(res.report["errors"]) == {"cmp-1"}
    assert any("'" in e and "cmp-1" in e for e in res.report["errors"]["cmp-1"])
    assert {d["host"] for d in docs if d["type"] == "vedge"} >= {"cmp-2", "cmp-3"}


def test_wrong_credentials_fail_at_once_and_leave_nothing(run_with):
    res, docs, _, store = run_with({"keystone": {"auth"}})
    assert res.status == "failed" and "refused" in res.reason
    assert docs == [] and store["links"].count_documents({}) == 0


def test_database_down_fails_at_once(run_with):
    res, docs, _, _ = run_with({"mysql": {"down"}})
    assert res.status == "failed" and "MySQL" in res.reason
    assert docs == []


def test_garbage_from_nova_is_named_and_the_rest_is_scanned(run_with):
    res, docs, model, _ = run_with({"nova": {"garbage"}})
    assert res.status == "completed_with_errors"
    assert "compute" in " ".join(e for v in res.report["errors"].values() for e in v)
    assert {d["id"] for d in docs if d["type"] == "network"} == {n["id"] for n in model["networks"]}
    assert {d["id"] for d in docs if d["type"] == "port"} == {p["id"] for p in model["ports"]}
