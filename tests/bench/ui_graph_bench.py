"""Graph panel: navigation to `calipso:graph-ready` in headless Chromium, for cliques of 50, 500 and 2,000 nodes,
and a network clique spread over 10,000 hosts.

The page is the graph panel served with the API behind it (tests/integration/ui/graph_harness.py,
the console's template, scripts and CSP); the store is the embedded one. "ready" is the panel's
own event, fired once the layout is drawn. Rows: the default (above 500 objects, hosts folded into
summary nodes), the 2,000-node clique with all 2,000 drawn, and the 10,000-host network clique
(40,001 objects) as summaries: its first opening (the API reads the clique's summary, stored when
the clique was written, as a scan stores it: app.topology.summary_store), then opened again. Goals: <= 2 s at 2,000 drawn and for
the 10,000-host clique as summaries. Set CALIPSO_BENCH_WIDE_HOSTS to change the 10,000.
The 2,000-node clique all drawn is opened once first ("first open": the API reads and builds it; it keeps
large graphs: app.topology.graph_cache), then RUNS times. "answer to ready" is the page's own part: from
the graph answer's last byte to graph-ready (building Cytoscape's elements and its first frame).
"""

from __future__ import annotations

import os
import statistics
import tempfile
import time
import uuid
from pathlib import Path

from app.store.embedded import EmbeddedStore
from app.store.init import init_db
from app.store.store import Store, StoreLocation

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync"]
SIZES = ((50, 2, 24), (500, 5, 99), (2000, 10, 199))   # (label, hosts, vNICs per host): 1 + hosts*(vNICs+1) nodes
RUNS = 3


def _measure(page, url: str) -> tuple[float, float, int, float]:
    """(ms from navigation to graph-ready, ms of the graph request, nodes drawn, ms from the answer's last byte
    to graph-ready: the page's own part, Cytoscape's build and first frame)."""
    page.goto("about:blank")
    page.goto(url)
    page.wait_for_selector("#calipso-graph[data-state=ready]", state="attached", timeout=120_000)
    ready = page.evaluate("() => new Promise(r => r(window.__ready || null))")
    if ready is None:
        ready = page.evaluate("() => performance.now()")
    api, answered = page.evaluate("() => { const e = performance.getEntriesByType('resource')"
                                  ".find(e => e.name.includes('clique_graph')) || {duration: 0, responseEnd: 0};"
                                  " return [Math.round(e.duration), e.responseEnd]; }")
    nodes = int(page.get_attribute("#calipso-graph", "data-nodes"))
    return ready, api, nodes, ready - answered


def run() -> None:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        print("skipped: playwright is not installed")
        return
    if not Path(CHROMIUM).exists():
        print(f"skipped: no browser at {CHROMIUM}")
        return
    from tests.integration.ui.graph_harness import GraphHarness, network_clique, star

    started_load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    home = Path(tempfile.mkdtemp(prefix="calipso-graph-bench-"))
    embedded = EmbeddedStore(home)
    uri = embedded.ensure_running()
    store = Store.connect(StoreLocation(f"{uri}gbench_{uuid.uuid4().hex[:8]}", "bench", embedded=True))
    init_db(store)
    rows = []
    harness = GraphHarness(store)
    try:
        targets = []
        for label, hosts, per in SIZES:
            env = f"bench{label}"
            store["environments_config"].insert_one({"name": env, "auth": {}})
            made = star(store, env, hosts=hosts, vnics_per_host=per)
            targets.append((f"{made['objects']} nodes", harness.page_url(env, made["instance"])))
            if label == 2000:   # opened once (its graph is built, then kept by the API), then again
                drawn = harness.page_url(env, made["instance"]) + "&max_nodes=2000&group=none"
                targets += [(f"{made['objects']} nodes, all, first open", drawn),
                            (f"{made['objects']} nodes, all drawn", drawn)]
        hosts = int(os.environ.get("CALIPSO_BENCH_WIDE_HOSTS", "10000"))
        store["environments_config"].insert_one({"name": "wide", "auth": {}})
        started = time.monotonic()
        wide = network_clique(store, "wide", hosts=hosts, statuses={"wide-host-00042-vedge": "Error"})
        print(f"made a network clique over {hosts} hosts ({wide['objects']} objects) in {time.monotonic() - started:.0f} s")
        first = (f"{hosts}-host net, first open", harness.page_url("wide", wide["network"]))
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            page.add_init_script("document.addEventListener('calipso:graph-ready', "
                                 "e => { window.__ready = e.detail.since_navigation; });")
            for name, url in [first] + targets + [(f"{hosts}-host net, again", first[1])]:
                samples = [_measure(page, url) for _ in range(1 if "first open" in name else RUNS)]
                rows.append((name, samples[0][2], statistics.median(s[0] for s in samples),
                             max(s[0] for s in samples), statistics.median(s[1] for s in samples),
                             statistics.median(s[3] for s in samples)))
            browser.close()
    finally:
        harness.stop()
        store.client.drop_database(store.db.name)
        store.close()
        embedded.stop()
    print(f"{'clique':<30} {'drawn':>6} {'ready median ms':>16} {'ready max ms':>13} {'of which API ms':>16} "
          f"{'answer to ready ms':>19}")
    for name, drawn, med, worst, api, page_ms in rows:
        print(f"{name:<30} {drawn:>6} {med:>16.0f} {worst:>13.0f} {api:>16.0f} {page_ms:>19.0f}")
    print(f"goal: <= 2000 ms at 2,000 nodes drawn and for the {hosts}-host clique as summaries "
          f"(median of {RUNS} navigations each; a first open once)")
    print(f"load average {os.getloadavg()[0]:.2f} {os.getloadavg()[1]:.2f} {os.getloadavg()[2]:.2f} at the end "
          f"({started_load}) at the start")
