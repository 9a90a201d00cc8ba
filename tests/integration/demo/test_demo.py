"""`make demo` as a new user runs it: a simulated cloud scanned, the API up, a scan requested through the API
run by the scan manager, and the inventory following the cloud's changes through the listener. On Ctrl-C
everything it started is gone, and it says what it leaves running (the store) and how to stop it."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.request
from base64 import b64encode
from pathlib import Path

from app.store.embedded import EmbeddedStore
from tests.ports import spare_port

ROOT = Path(__file__).resolve().parents[3]


def _call(url: str, user: str, password: str, body: dict | None = None) -> dict:
    req = urllib.request.Request(url, data=None if body is None else json.dumps(body).encode(),
                                 method="GET" if body is None else "POST",
                                 headers={"Content-Type": "application/json",
                                          "Authorization": "Basic " + b64encode(f"{user}:{password}".encode()).decode()})
    with urllib.request.urlopen(req, timeout=30) as resp:
        return json.loads(resp.read() or b"{}")


def _read_until(proc: subprocess.Popen, marker: str, timeout: float) -> str:
    out = ""
    deadline = time.monotonic() + timeout
    while marker not in out:
        assert time.monotonic() < deadline, f"no {marker!r} within {timeout} s: {out}"
        line = proc.stdout.readline()
        assert line, f"the demo ended early: {out}"
        out += line
    return out


def test_demo_runs_everything_and_the_inventory_follows_the_cloud(tmp_path):
    home = tmp_path / "home"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CALIPSO_")}
    env["CALIPSO_HOME"] = str(home)
    proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "demo", "--hosts", "2", "--churn", "2",
                             "--api-port", str(spare_port()), "--ui-port", str(spare_port())],
                            env=env, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out = _read_until(proc, "Running; Ctrl-C stops the demo.", 240)
        assert re.search(r"scan: +completed: \d+ objects, \d+ links, \d+ cliques", out), out
        api = re.search(r"API: +(http://127\.0\.0\.1:\d+) +\(user (\w+), password (\S+)\)", out)
        assert api, out
        assert "scan manager:" in out and "listener:" in out
        console = re.search(r"console: +(http://127\.0\.0\.1:\d+) +\(sign in as admin, password (\S+)\)", out)
        assert console and console.group(2) == api.group(3), out
        with urllib.request.urlopen(console.group(1) + "/status", timeout=10) as resp:
            assert json.loads(resp.read())["api"] == "up"
        url, user, password = api.groups()
        # a scan requested through the API is run (by the demo's scan manager), not left waiting forever
        _call(f"{url}/scans", user, password, {"env_name": "demo", "log_level": "info"})
        deadline = time.monotonic() + 120
        while True:
            scans = _call(f"{url}/scans?env_name=demo&page_size=50", user, password)["scans"]
            if any(s.get("status") in ("completed", "completed_with_errors") for s in scans):
                break
            assert time.monotonic() < deadline, f"the requested scan did not run: {scans}"
            time.sleep(1)
        time.sleep(8)   # the churning cloud changes a few times; the listener follows
        proc.send_signal(signal.SIGINT)
        rest, err = proc.communicate(timeout=60)
        out += rest
    finally:
        if proc.poll() is None:      # a failed check: stop it as a user would, so its children stop too
            proc.send_signal(signal.SIGINT)
            try:
                proc.communicate(timeout=60)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()
        state = EmbeddedStore(home).read_state()
        EmbeddedStore(home).stop()
    assert proc.returncode == 0, err[-2000:]
    counts = re.findall(r"inventory: (\d+) objects \((\d+) instances, (\d+) ports\)", out)
    assert len(set(counts)) >= 2, f"the inventory did not follow the changing cloud: {counts}"
    assert "demo stopped" in out
    # what is left running is named, with how to stop it
    assert state and f"pid {state.pid}" in out and "store stop" in out, out
    leftovers = subprocess.run(["ps", "-eww", "-o", "args"], capture_output=True, text=True).stdout
    assert str(home) not in leftovers, "every process the demo started has stopped"
