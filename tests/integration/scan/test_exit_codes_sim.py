"""`calipso scan`'s result on a simulated cloud with a failing host: completed with errors, exit code 3,
and the report names the layer that failed (issue 14: it used to exit 0)."""

from __future__ import annotations

import uuid

import pytest

from app.envconfig.repository import EnvironmentConfigs
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from scan.cli import print_summary
from scan.controller import ScanController, ScanOptions

pytest.importorskip("simulator.faults")
from simulator.faults import Conditions  # noqa: E402
from tests.scan_support.sim import start_in_process  # noqa: E402


def test_a_failing_host_makes_exit_code_3_naming_the_ssh_layer(store_uri, tmp_path, capsys):
    name = f"x{uuid.uuid4().hex[:6]}"
    sim = start_in_process(name, tmp_path / name, computes=2, instances=2,
                           conditions=Conditions(faults={"cmp-2": {"garbage"}}))
    store = Store.connect(StoreLocation(f"{store_uri}t_{uuid.uuid4().hex[:12]}", "test", embedded=True))
    try:
        init_db(store)
        EnvironmentConfigs(store).add(sim.env)
        res = ScanController(store, ScanOptions(env=name)).run()
        assert res.status == "completed_with_errors" and res.exit_code == 3
        assert set(res.report["failed_layers"]) <= {"CLI", "DB"} and res.report["failed_layers"]
        import sys
        print_summary(res, name, sys.stdout)
        out = capsys.readouterr().out
        assert "failed: " in out and "exit code 3" in out and "errors on cmp-2" in out
    finally:
        sim.stop()
        store.client.drop_database(store.db.name)
        store.close()
