"""`calipso diff` as an operator runs it: text and JSON, filters, clear errors, and purge forgets the log."""

from __future__ import annotations

import json

from app.changelog import ChangeLog
from app.diffing import Change, Changes
from app.store.store import Store, StoreLocation
from tests.integration.cli.test_env_commands import SAMPLE, calipso


def test_diff_text_json_filters_and_errors(cli_env):
    assert calipso(cli_env, "env", "add", str(SAMPLE)).returncode == 0
    store = Store.connect(StoreLocation(cli_env["CALIPSO_MONGO_URI"], "test"))
    try:
        log = ChangeLog(store)
        log.record("demo-env", Changes(), "full scan", scan_id="scan-a", checkpoint=True)
        vm = {"type": "instance", "id": "vm-1", "name": "web", "id_path": "/demo-env/node-1/vm-1"}
        net = {"type": "network", "id": "net-1", "name": "net", "id_path": "/demo-env/RegionOne/net-1"}
        log.record("demo-env", Changes(objects=[Change("changed", vm, {"name": ("db", "web")}),
                                                Change("added", net)]), "listener")
        log.record("demo-env", Changes(), "full scan", scan_id="scan-b", checkpoint=True)
        text = calipso(cli_env, "diff", "-e", "demo-env", "--from", "scan-a", "--to", "scan-b")
        assert text.returncode == 0, text.stderr
        assert "objects: 1 added, 1 changed, 0 removed" in text.stdout
        assert "~ instance vm-1 (web)" in text.stdout and 'name: "db" -> "web"' in text.stdout
        js = calipso(cli_env, "diff", "-e", "demo-env", "--from", "scan-a", "--type", "network", "--format", "json")
        out = json.loads(js.stdout)
        assert out["counts"]["objects"] == {"added": 1, "changed": 0, "removed": 0}
        assert out["objects"]["added"][0]["id"] == "net-1"
        bad = calipso(cli_env, "diff", "-e", "demo-env", "--from", "last week")
        assert bad.returncode == 2 and "neither a scan id" in bad.stderr and "Traceback" not in bad.stderr
        unknown = calipso(cli_env, "diff", "-e", "nope", "--from", "scan-a")
        assert unknown.returncode == 2 and "demo-env" in unknown.stderr
        purged = calipso(cli_env, "env", "delete", "demo-env", "--purge")
        assert purged.returncode == 0 and "change log" in purged.stdout
        assert store["changes"].count_documents({"environment": "demo-env"}) == 0
    finally:
        store.close()
