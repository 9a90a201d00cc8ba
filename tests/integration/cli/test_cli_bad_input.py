"""The CLI answers bad input in one line naming the field: no traceback, no secret, no kilobytes echoed,
no terminal escape sequence acted on; a store that dies mid-command is said so, not dumped."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

from pymongo.errors import ServerSelectionTimeoutError

from app.cli.main import run_guarded

ROOT = Path(__file__).resolve().parents[3]
SAMPLE = ROOT / "tests" / "fixtures" / "environment_config.json"
PRIVATE_KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQ-planted\n"


def calipso(cli_env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "app.cli.main", *args], env=cli_env, cwd=ROOT,
                          capture_output=True, text=True, timeout=120)


def _doc(**changes) -> dict:
    doc = json.loads(SAMPLE.read_text())
    doc.update(changes)
    return doc


def test_deeply_nested_json_is_one_line(cli_env, tmp_path):
    f = tmp_path / "deep.json"
    f.write_text('{"name": "deep", "x": ' + "[" * 100_000 + "]" * 100_000 + "}")
    res = calipso(cli_env, "env", "add", str(f))
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "nested too deeply" in res.stderr and len(res.stderr.strip().splitlines()) == 1


def test_validate_never_prints_a_private_key_pasted_in_cli_key(cli_env, tmp_path):
    doc = _doc()
    next(s for s in doc["configuration"] if s["name"] == "CLI")["key"] = PRIVATE_KEY
    f = tmp_path / "env.json"
    f.write_text(json.dumps(doc))
    res = calipso(cli_env, "env", "validate", str(f))
    assert res.returncode == 2 and "configuration" in res.stderr and "key" in res.stderr
    assert "planted" not in res.stdout + res.stderr and "PRIVATE KEY" not in res.stdout + res.stderr


def test_a_huge_field_and_escape_bytes_are_not_echoed(cli_env, tmp_path):
    f = tmp_path / "env.json"
    f.write_text(json.dumps(_doc(distribution="\x1b]0;owned\x07" + "x" * 5_000_000)))
    res = calipso(cli_env, "env", "add", str(f))
    assert res.returncode == 2 and "distribution" in res.stderr
    assert len(res.stderr) < 3000, f"{len(res.stderr)} characters echoed"
    assert "\x1b" not in res.stderr + res.stdout


def test_a_store_that_dies_mid_command_is_one_line(capsys):
    def run(args):
        raise ServerSelectionTimeoutError("127.0.0.1:27017: [Errno 111] Connection refused, Timeout: 5.0s")
    assert run_guarded("calipso scan", run, argparse.Namespace()) == 1
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "the store stopped answering" in err and "Connection refused" in err
