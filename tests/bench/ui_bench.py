"""Web console: page time-to-first-byte with 65,000 objects stored, live update latency, and what 50 open
pages cost.

The store is the embedded one; the API and the console run as `calipso api` and `calipso ui` (gunicorn), and
requests go over HTTP as a browser's would, with a signed-in session. The inventory is a tree of hosts, each
with folders of instances, vNICs and ports (CALIPSO_BENCH_UI_OBJECTS, default 65,000). Live latency is the time
from a write to the store to the page showing it: through the event stream always, and in Chromium (the new
object in the open tree) when /usr/bin/chromium and Playwright are present.
"""

from __future__ import annotations

import os
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

import requests
from bson import ObjectId

from app.store.embedded import EmbeddedStore
from app.store.init import init_db
from app.store.keys import object_keys
from app.store.store import Store, StoreLocation
from tests.ports import spare_port

ENV = "uibench"
PER_FOLDER = {"instance": 16, "vnic": 32, "port": 40, "vconnector": 16, "network_agent": 4}
BATCH = 5000
SAMPLES = 40


def _doc(obj_type: str, oid: str, name: str, parent: dict, now, **extra) -> dict:
    return {"_id": ObjectId(), "environment": ENV, "id": oid, "type": obj_type, "name": name, "object_name": name,
            "parent_id": parent["id"], "parent_type": parent["type"], "id_path": f"{parent['id_path']}/{oid}",
            "name_path": f"{parent['name_path']}/{name}", "show_in_tree": True, "last_scanned": now,
            **object_keys(ENV, obj_type, oid, parent["id"]), **extra}


def _objects(n: int, now):
    root = {"id": ENV, "type": "environment", "id_path": f"/{ENV}", "name_path": f"/{ENV}"}
    region = _doc("region", "RegionOne", "RegionOne", root, now)
    folder = _doc("hosts_folder", "RegionOne-hosts", "Hosts", region, now)
    yield region
    yield folder
    per_host = 1 + len(PER_FOLDER) + sum(PER_FOLDER.values())
    for h in range(max(1, (n - 2) // per_host)):
        hid = f"compute-{h:04d}"
        host = _doc("host", hid, hid, folder, now, host=hid)
        yield host
        for t, count in PER_FOLDER.items():
            f = _doc(f"{t}s_folder", f"{hid}-{t}s", f"{t.capitalize()}s", host, now)
            yield f
            for i in range(count):
                oid = f"{hid}-{t}-{i:03d}"
                yield _doc(t, oid, oid, f, now, host=hid, **({"clique": True} if t == "instance" else {}))


def _write(store: Store, doc: dict) -> None:
    """Add one object as a listener batch does: the document, and its entry in the change log."""
    from app.changelog import ChangeLog
    from app.diffing import Change, Changes
    store["inventory"].insert_one(doc)
    ChangeLog(store).record(ENV, Changes(objects=[Change("added", doc)]), origin="bench")


def _load(store: Store, n: int) -> int:
    coll, batch, count = store["inventory"], [], 0
    for doc in _objects(n, datetime.now(timezone.utc)):
        batch.append(doc)
        if len(batch) >= BATCH:
            coll.insert_many(batch, ordered=False)
            count, batch = count + len(batch), []
    if batch:
        coll.insert_many(batch, ordered=False)
        count += len(batch)
    return count


def _pct(samples: list[float], q: float) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(q * len(s)))]


def _wait_port(port: int, proc: subprocess.Popen, timeout: float = 60) -> None:
    import socket
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"a server exited with {proc.returncode}")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"nothing listens on {port}")


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _tree_cpu(pid: int) -> float:
    """CPU of a process and its children (gunicorn master + worker)."""
    total = _cpu_seconds(pid)
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        total += _cpu_seconds(int(child))
    return total


def _session(ui: str, user: str, password: str) -> requests.Session:
    s = requests.Session()
    page = s.get(ui + "/login", timeout=30).text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
    r = s.post(ui + "/login", data={"csrf_token": csrf, "username": user, "password": password, "next": "/Dashboard"},
               timeout=30, allow_redirects=False)
    assert r.status_code == 303, r.text[:300]
    return s


def _ttfb(s: requests.Session, url: str, n: int) -> list[float]:
    out = []
    for _ in range(n):
        r = s.get(url, timeout=60, stream=True)
        out.append(r.elapsed.total_seconds() * 1000)
        assert r.status_code == 200, (url, r.status_code)
        r.close()
    return out


def _sse_latency(ui: str, s: requests.Session, store: Store, rounds: int = 5) -> list[float]:
    """Write an object to the store; time until the event stream carries a summary that counts it."""
    resp = s.get(ui + "/events", stream=True, timeout=60)
    lines = resp.iter_lines(decode_unicode=True)
    latencies, target = [], {"n": None, "t": 0.0}
    got = threading.Event()

    def read():
        try:
            follow()
        except Exception:   # the stream is closed under the reader at the end: nothing more to read
            pass

    def follow():
        event = None
        for line in lines:
            if line.startswith("event:"):
                event = line.split(":", 1)[1].strip()
            elif line.startswith("data:") and event == "summary" and target["n"] is not None:
                if f'"objects":{target["n"]}' in line.replace(" ", ""):
                    latencies.append((time.perf_counter() - target["t"]) * 1000)
                    got.set()

    threading.Thread(target=read, daemon=True).start()
    time.sleep(2)
    host = {"id": "compute-0000-instances", "type": "instances_folder", "id_path": f"/{ENV}/RegionOne/RegionOne-hosts/"
            "compute-0000/compute-0000-instances", "name_path": "x"}
    for i in range(rounds):
        got.clear()
        target["n"] = store.db.command("count", "inventory", query={"environment": ENV})["n"] + 1
        target["t"] = time.perf_counter()
        _write(store, _doc("instance", f"live-{i}-{ObjectId()}", f"live-{i}", host, datetime.now(timezone.utc)))
        got.wait(15)
        time.sleep(0.5)
    resp.close()
    return latencies


def _browser_latency(ui: str, store: Store, password: str, rounds: int = 3) -> list[float] | str:
    if not os.access("/usr/bin/chromium", os.X_OK):
        return "no /usr/bin/chromium"
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        return "playwright not installed"
    from tests.integration.ui.conftest import CHROMIUM, CHROMIUM_ARGS
    folder = {"id": "compute-0001-instances", "type": "instances_folder",
              "id_path": f"/{ENV}/RegionOne/RegionOne-hosts/compute-0001/compute-0001-instances", "name_path": "x"}
    out = []
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        page = b.new_page(base_url=ui)
        page.goto("/login")
        page.fill("input[name=username]", "bench")
        page.fill("input[name=password]", password)
        page.click("#login-form button[type=submit]")
        page.goto(f"/environment/{ENV}?selectedNodeId={folder['id']}&view=data")
        page.wait_for_selector('#tree li.node[data-id="compute-0001-instance-000"]')
        time.sleep(2)
        for i in range(rounds):
            oid = f"seen-{i}-{ObjectId()}"
            t = time.perf_counter()
            _write(store, _doc("instance", oid, oid, folder, datetime.now(timezone.utc)))
            page.wait_for_selector(f'#tree li.node[data-id="{oid}"]', timeout=30_000)
            out.append((time.perf_counter() - t) * 1000)
        b.close()
    return out


def _idle_pages(ui: str, s: requests.Session, pids: dict, pages: int, seconds: float = 10.0) -> dict:
    streams = [s.get(ui + "/events", stream=True, timeout=60) for _ in range(pages)]
    time.sleep(2)
    before = {k: _tree_cpu(p) for k, p in pids.items()}
    time.sleep(seconds)
    used = {k: (_tree_cpu(p) - before[k]) / seconds * 100 for k, p in pids.items()}
    for r in streams:
        r.close()
    return used


def run() -> None:
    total = int(os.environ.get("CALIPSO_BENCH_UI_OBJECTS", "65000"))
    with tempfile.TemporaryDirectory() as home:
        embedded = EmbeddedStore(Path(home))
        uri = embedded.ensure_running()
        procs = []
        try:
            store = Store.connect(StoreLocation(uri + "uibench", "bench", embedded=True), timeout=60)
            init_db(store)
            t = time.perf_counter()
            n = _load(store, total)
            load_s = time.perf_counter() - t
            store["environments_config"].insert_one({"name": ENV, "distribution": "Devstack", "scanned": True,
                                                     "auth": {"view-env": [], "edit-env": []}})
            from api.auth.users import Users
            password = "bench-password-1"
            Users(store, rounds=4).add("bench", password, admin=True)
            env = {**os.environ, "CALIPSO_HOME": home, "CALIPSO_MONGO_URI": uri + "uibench"}
            api_port, ui_port = spare_port(), spare_port()
            api = subprocess.Popen([sys.executable, "-m", "app.cli.main", "api", "--bind", f"127.0.0.1:{api_port}",
                                    "--workers", "2"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(api)
            ui_proc = subprocess.Popen([sys.executable, "-m", "app.cli.main", "ui", "--bind", f"127.0.0.1:{ui_port}",
                                        "--api-url", f"http://127.0.0.1:{api_port}"], env=env,
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            procs.append(ui_proc)
            _wait_port(api_port, api)
            _wait_port(ui_port, ui_proc)
            ui = f"http://127.0.0.1:{ui_port}"
            s = _session(ui, "bench", password)
            deep = "compute-0100-vnic-007"
            for url in ("/Dashboard", f"/environment/{ENV}"):
                s.get(ui + url, timeout=60)     # warm-up
            rows = [
                ("dashboard (/Dashboard)", _ttfb(s, ui + "/Dashboard", SAMPLES)),
                ("environment page (root)", _ttfb(s, ui + f"/environment/{ENV}", SAMPLES)),
                ("environment page, object 5 levels deep", _ttfb(s, ui + f"/environment/{ENV}?selectedNodeId={deep}",
                                                                 SAMPLES)),
                ("tree expansion (570 hosts)", _ttfb(s, ui + f"/ui-api/tree?env_name={ENV}&parent_id=RegionOne-hosts",
                                                     SAMPLES)),
                ("tree expansion (16 instances)", _ttfb(s, ui + f"/ui-api/tree?env_name={ENV}&parent_id="
                                                        "compute-0007-instances", SAMPLES)),
                ("health page (/health)", _ttfb(s, ui + "/health", SAMPLES)),
                ("search suggestions ('Compute-0042-vnic')",    # as the search box asks: the start of a name
                 _ttfb(s, ui + "/ui-api/search/inventory?match=prefix&limit=15&query=Compute-0042-vnic", SAMPLES)),
            ]
            sse = _sse_latency(ui, s, store)
            browser = _browser_latency(ui, store, password)
            pids = {"ui": ui_proc.pid, "api": api.pid}
            idle0 = _idle_pages(ui, s, pids, 0)
            idle50 = _idle_pages(ui, s, pids, 50)
        finally:
            for p in procs:
                p.terminate()
                try:
                    p.wait(15)
                except subprocess.TimeoutExpired:
                    p.kill()
            embedded.stop()

    print(f"{n} inventory objects loaded in {load_s:.0f} s; API (2 workers) and console over HTTP, signed in")
    width = max(len(r[0]) for r in rows)
    print(f"{'page time to first byte':{width}}  {'p50 ms':>7}  {'p95 ms':>7}  goal")
    for name, samples in rows:
        print(f"{name:{width}}  {statistics.median(samples):7.1f}  {_pct(samples, 0.95):7.1f}  p95 <= 200 ms")
    print()
    print(f"{'live update latency (store write -> page)':{width}}  {'p50 ms':>7}  {'max ms':>7}  goal")
    print(f"{'event stream carries the new count':{width}}  {statistics.median(sse):7.0f}  {max(sse):7.0f}  "
          f"<= 3000 ms  ({len(sse)}/5 seen)")
    if isinstance(browser, str):
        print(f"{'new object in the open tree (Chromium)':{width}}  skipped: {browser}")
    else:
        print(f"{'new object in the open tree (Chromium)':{width}}  {statistics.median(browser):7.0f}  "
              f"{max(browser):7.0f}  <= 3000 ms")
    print()
    print(f"{'CPU while pages are open (one user)':{width}}  {'console':>7}  {'API':>7}")
    for label, used in (("no page open", idle0), ("50 pages open", idle50)):
        print(f"{label:{width}}  {used['ui']:6.1f}%  {used['api']:6.1f}%")
