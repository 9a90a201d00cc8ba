"""`calipso env` and `calipso db init` as an operator runs them, against the embedded store."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pymongo

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "fixtures" / "environment_config.json"


def calipso(cli_env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], env=cli_env, cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=60)


def test_add_list_show_delete(cli_env, tmp_path):
    res = calipso(cli_env, "env", "add", str(SAMPLE))
    assert res.returncode == 0 and "environment demo-env added" in res.stdout, res.stderr
    listed = calipso(cli_env, "env", "list")
    assert "demo-env" in listed.stdout and "Kolla zed" in listed.stdout
    shown = calipso(cli_env, "env", "show", "demo-env")
    doc = json.loads(shown.stdout)
    assert doc["configuration"][0]["pwd"] == "<redacted>"
    for secret in ("Os-Secret-1", "Tok-Secret-2", "Db-Secret-3", "Mq-Secret-4"):
        assert secret not in shown.stdout + shown.stderr + listed.stdout
    again = calipso(cli_env, "env", "add", str(SAMPLE))
    assert again.returncode == 2 and "name: environment 'demo-env' already exists" in again.stderr
    changed = json.loads(SAMPLE.read_text())
    changed["listen"] = False
    del changed["configuration"][0]["pwd"]
    f = tmp_path / "changed.json"
    f.write_text(json.dumps(changed))
    replaced = calipso(cli_env, "env", "add", "--replace", str(f))
    assert replaced.returncode == 0, replaced.stderr
    client = pymongo.MongoClient(cli_env["CALIPSO_MONGO_URI"])
    stored = client.get_default_database().environments_config.find_one({"name": "demo-env"})
    assert stored["listen"] is False and stored["configuration"][0]["pwd"] == "Os-Secret-1", "omitted secret kept"
    assert calipso(cli_env, "env", "delete", "demo-env").returncode == 0
    missing = calipso(cli_env, "env", "show", "demo-env")
    assert missing.returncode == 2 and "unknown environment 'demo-env'" in missing.stderr
    client.close()


def test_invalid_document_lists_every_problem_and_writes_nothing(cli_env):
    bad = {"name": "bad-env", "distribution": "Fedora", "mechanism_drivers": ["ovs"], "type_drivers": "vxlan",
           "distribution_version": "zed", "listen": "maybe", "configuration": [{"name": "CLI", "host": "h", "user": "u"}]}
    res = calipso(cli_env, "env", "add", "-", stdin=json.dumps(bad))
    assert res.returncode == 2
    assert "nothing was written" in res.stderr
    for expected in ("distribution: 'Fedora' is not one of", "mechanism_drivers[0]: 'ovs' is not one of",
                     "listen: must be true or false", "configuration[CLI]: needs a password (pwd) or a private key",
                     "configuration: section OpenStack is required"):
        assert expected in res.stderr, res.stderr
    assert "no environments" in calipso(cli_env, "env", "list").stdout


def test_malformed_json_is_one_line_with_position(cli_env, tmp_path):
    f = tmp_path / "broken.json"
    f.write_text('{"name": "x",\n  "listen": tru }')
    res = calipso(cli_env, "env", "add", str(f))
    assert res.returncode == 2
    assert res.stderr.strip().count("\n") == 0 and "broken.json:2:" in res.stderr and "not valid JSON" in res.stderr


def test_db_init_is_idempotent(cli_env):
    first = calipso(cli_env, "db", "init")
    second = calipso(cli_env, "db", "init")
    assert first.returncode == 0 and first.stdout == second.stdout
    client = pymongo.MongoClient(cli_env["CALIPSO_MONGO_URI"])
    db = client.get_default_database()
    names = {c["name"] for c in db.constants.find()}
    assert {"distributions", "mechanism_drivers", "type_drivers", "link_types", "object_types", "scans_statuses",
            "log_levels", "messages_severity", "configuration_targets"} <= names
    assert db.clique_types.find_one({"name": "instance", "environment": "ANY"})["link_types"][0] == "instance-vnic"
    types = {d["type"] for d in db.link_types.find()}
    assert {"vnic-vconnector", "vconnector-vnic", "switch_pnic-switch_pnic"} <= types
    assert db.link_types.count_documents({"type": "vnic-vconnector"}) == 1, "a second init adds no duplicates"
    client.close()
