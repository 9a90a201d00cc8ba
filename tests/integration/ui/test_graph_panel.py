"""The graph panel in a real browser (Chromium through Playwright), on a scanned simulated cloud and
on cliques built here: what is drawn, its colours, hover cards, hostile names, large cliques, exports.

The panel is served by tests/integration/ui/graph_harness.py (its template, scripts and CSP, with
the API behind `/api`); test_graph.py checks it inside the console's environment page.
"""

from __future__ import annotations

import os
import uuid
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from app.inventory import Inventory
from app.store.init import init_db
from app.store.store import Store, StoreLocation
from tests.integration.ui.graph_harness import GraphHarness, scan_into, star

READY = "#calipso-graph[data-state=ready]"
RED = "rgb(198,40,40)"
HOSTILE = ["<script>window.__pwned=1</script>", "\"quoted' <b>name</b>", "{{7*7}} ${7*7}", "<img src=x onerror=window.__pwned=2>"]


@pytest.fixture(scope="module")
def chromium(browser):
    """The harness's browser: a second sync_playwright in the same session fails once another
    browser test module has started the first ("Sync API inside the asyncio loop")."""
    return browser


@pytest.fixture(scope="module")
def gstore(store_uri):
    name = f"g_{uuid.uuid4().hex[:10]}"
    store = Store.connect(StoreLocation(f"{store_uri}{name}", "graph test store", embedded=True))
    init_db(store)
    yield store
    store.client.drop_database(name)
    store.close()


@pytest.fixture(scope="module")
def harness(gstore):
    h = GraphHarness(gstore)
    yield h
    h.stop()


@pytest.fixture(scope="module")
def scanned(gstore, tmp_path_factory):
    """A small OVS/VXLAN simulated cloud, scanned into the module's store."""
    name = "graph-sim"
    scan_into(gstore, name, tmp_path_factory.mktemp(name))
    return name


@pytest.fixture
def page(chromium):
    context = chromium.new_context(viewport={"width": 1400, "height": 900}, accept_downloads=True)
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()


def shot(pg, name: str) -> Path:
    out = Path(os.environ.get("CALIPSO_SCREENSHOT_DIR", "/tmp/calipso-screens"))
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"graph-{name}.png"
    pg.screenshot(path=str(path))
    return path


def open_graph(pg, harness, env: str, object_id: str, extra: str = "") -> dict:
    pg.goto(harness.page_url(env, object_id) + extra)
    pg.wait_for_selector(READY + ", #calipso-graph[data-state=error]", state="attached", timeout=120_000)
    assert pg.get_attribute("#calipso-graph", "data-state") == "ready", pg.inner_text(".cg-status")
    return pg.evaluate("""() => ({
        nodes: calipsoGraph.cy.nodes('.obj').map(n => n.id()),
        links: calipsoGraph.cy.edges().not('.meta').map(e => e.id().slice(5)),
        boxes: calipsoGraph.cy.nodes('.box').map(n => n.data('name')) })""")


def synthetic(store, env: str, **kw) -> dict:
    """A star-shaped instance clique (see test_clique_graph.star) in an environment of its own."""
    store["environments_config"].insert_one({"name": env, "auth": {}})
    return star(store, env, **kw)


def at(pg, node_id: str) -> tuple[float, float]:
    return tuple(pg.evaluate("""(id) => { const p = calipsoGraph.cy.getElementById(id).renderedPosition();
        const r = document.querySelector('.cg-canvas').getBoundingClientRect(); return [p.x + r.left, p.y + r.top]; }""",
                             node_id))


def corner(pg, box_id: str) -> tuple[float, float]:
    """A point inside a box but off its members: the box's top left corner."""
    return tuple(pg.evaluate("""(id) => { const b = calipsoGraph.cy.getElementById(id).renderedBoundingBox({includeLabels: false});
        const r = document.querySelector('.cg-canvas').getBoundingClientRect(); return [b.x1 + r.left + 15, b.y1 + r.top + 15]; }""",
                             box_id))


def border(pg, node_id: str) -> str:
    return pg.evaluate("(id) => calipsoGraph.cy.getElementById(id).style('border-color')", node_id).replace(" ", "")


def test_instance_graph_is_exactly_its_clique_coloured_by_status(page, harness, gstore, scanned):
    clique = next(c for c in gstore["cliques"].find({"environment": scanned, "focal_point_type": "instance"}))
    links = [str(l) for l in clique["links"]]
    nodes = {str(clique["focal_point"])}
    for l in gstore["links"].find({"_id": {"$in": clique["links"]}}):
        nodes |= {str(l["source"]), str(l["target"])}
    vnic = gstore["inventory"].find_one({"_id": {"$in": [l for l in clique["nodes"]]}, "type": "vnic"})
    Inventory(gstore).set_fields(scanned, "vnic", vnic["id"], {"status": "Error", "status_text": "link down"})
    focal = gstore["inventory"].find_one({"_id": clique["focal_point"]})

    drawn = open_graph(page, harness, scanned, focal["id"])
    shot(page, "instance")
    assert sorted(drawn["nodes"]) == sorted(nodes)
    assert sorted(drawn["links"]) == sorted(links)
    assert page.get_attribute("#calipso-graph", "data-nodes") == str(len(nodes))
    assert page.inner_text(".cg-summary").startswith(f"{len(nodes)} objects, {len(links)} links")
    assert border(page, str(vnic["_id"])) == RED
    others = [n for n in nodes if n != str(vnic["_id"])]
    assert all(border(page, n) == "rgb(154,160,166)" for n in others)   # unmonitored: grey
    assert set(drawn["boxes"]) >= {focal["host"]}
    page.mouse.move(*at(page, str(vnic["_id"])))
    card = page.locator(".cg-card")
    card.wait_for(state="visible")
    assert "Error: link down" in card.inner_text()
    assert page.errors == []


def test_live_status_change_recolours_without_reload(page, harness, gstore, scanned):
    clique = gstore["cliques"].find_one({"environment": scanned, "focal_point_type": "instance"})
    focal = gstore["inventory"].find_one({"_id": clique["focal_point"]})
    open_graph(page, harness, scanned, focal["id"])
    assert border(page, str(focal["_id"])) != RED
    page.evaluate("window.__same = true")
    Inventory(gstore).set_fields(scanned, "instance", focal["id"], {"status": "Error"})
    link = clique["links"][0]
    gstore["links"].update_one({"_id": link}, {"$set": {"status": "Warning"}})
    page.evaluate("(env) => document.dispatchEvent(new CustomEvent('calipso:change', {detail: {environment: env}}))",
                  scanned)
    _wait(page, lambda: border(page, str(focal["_id"])) == RED)
    color = page.evaluate("(id) => calipsoGraph.cy.getElementById('link|' + id).style('line-color')", str(link))
    assert color.replace(" ", "") == "rgb(239,108,0)"
    assert page.evaluate("window.__same") is True   # not reloaded


def test_hostile_names_are_text_in_labels_hover_and_find(page, harness, gstore):
    env = "hostile"
    made = synthetic(gstore, env, hosts=1, vnics_per_host=len(HOSTILE))
    inv = Inventory(gstore)
    inv.set_fields(env, "instance", made["instance"], {"object_name": HOSTILE[0], "name": HOSTILE[0]})
    for i, name in enumerate(HOSTILE):
        inv.set_fields(env, "vnic", f"{env}-h0-tap{i}", {"object_name": name, "mac_address": name})
    gstore["links"].update_many({"environment": env}, {"$set": {"link_name": HOSTILE[3]}})
    drawn = open_graph(page, harness, env, made["instance"])
    labels = page.evaluate("() => calipsoGraph.cy.nodes('.obj').map(n => n.data('label'))")
    assert set(HOSTILE) <= set(labels)
    focal = page.evaluate("() => calipsoGraph.cy.nodes('.focal')[0].id()")
    page.mouse.move(*at(page, focal))
    page.locator(".cg-card").wait_for(state="visible")
    card = page.inner_text(".cg-card")
    assert HOSTILE[0] in card
    assert page.locator(".cg-card script, .cg-card img, .cg-card b").count() == 0
    page.fill(".cg-find", "<script")
    _wait(page, lambda: page.inner_text(".cg-found") == "2 found")   # the instance and one vNIC
    assert page.evaluate("window.__pwned") is None
    assert len(drawn["nodes"]) == made["objects"]
    shot(page, "hostile")
    assert page.errors == []


def test_stale_objects_are_faded_with_last_seen(page, harness, gstore):
    env = "stale"
    made = synthetic(gstore, env, hosts=1, vnics_per_host=2)
    stale = gstore["inventory"].find_one({"environment": env, "id": f"{env}-h0-tap1"})
    from datetime import datetime, timezone
    Inventory(gstore).mark_stale([stale["_id"]], datetime.now(timezone.utc))
    open_graph(page, harness, env, made["instance"])
    assert page.evaluate("(id) => calipsoGraph.cy.getElementById(id).style('opacity')", str(stale["_id"])) == "0.4"
    page.mouse.move(*at(page, str(stale["_id"])))
    page.locator(".cg-card").wait_for(state="visible")
    assert "Not seen by the last scan · last seen" in page.inner_text(".cg-card")


def test_2000_node_clique_stays_usable_and_says_what_it_folded(page, harness, gstore):
    env = "big"
    made = synthetic(gstore, env, hosts=10, vnics_per_host=200)   # 1 instance, 2,000 vNICs, 10 bridges
    open_graph(page, harness, env, made["instance"], "&group=none")   # the fold per type and host, not summaries
    notice = page.inner_text(".cg-notice")
    assert f"Showing 500 of {made['objects']} objects" in notice
    folded = page.evaluate("() => calipsoGraph.cy.nodes('.aggregate').map(n => n.data('api').count)")
    assert folded and sum(folded) == made["objects"] - 500
    assert f"{sum(folded)} are folded" in notice
    shot(page, "big-capped")
    page.fill(".cg-find", f"{env}-h0-tap1")
    _wait(page, lambda: page.inner_text(".cg-found").endswith("found"))
    page.click("text=Show as table")
    assert page.locator(".cg-table tr").count() == len(page.evaluate("() => calipsoGraph.data.nodes")) + 1
    page.click(".cg-table-toggle")
    page.evaluate("document.getElementById('calipso-graph').dataset.state = 'redraw'")
    page.click("text=Draw up to 2,000 objects")
    page.wait_for_selector(READY, state="attached", timeout=120_000)
    assert page.evaluate("() => calipsoGraph.cy.nodes('.obj').not('.aggregate').length") == 2000
    assert page.evaluate("1 + 1") == 2   # the tab answers
    shot(page, "big-2000")
    assert page.errors == []


def test_fold_a_host_box_and_open_a_network(page, harness, gstore, scanned):
    clique = gstore["cliques"].find_one({"environment": scanned, "focal_point_type": "instance"})
    focal = gstore["inventory"].find_one({"_id": clique["focal_point"]})
    open_graph(page, harness, scanned, focal["id"])
    box = f"box|host|{focal['host']}"
    visible = "(b) => calipsoGraph.cy.nodes('.obj').filter(n => n.data('box') === b && n.visible()).length"
    inside = page.evaluate(visible, box)
    assert inside > 0
    page.mouse.click(*corner(page, box))
    _wait(page, lambda: page.evaluate(visible, box) == 0)
    assert page.evaluate("() => calipsoGraph.cy.edges('.meta').length") > 0
    shot(page, "folded")
    page.mouse.click(*at(page, box))
    _wait(page, lambda: page.evaluate(visible, box) == inside)
    net = page.evaluate("() => { const n = calipsoGraph.cy.nodes('[type = \"network\"]')[0]; return [n.id(), n.data('api').object_id]; }")
    page.mouse.click(*at(page, net[0]))
    page.wait_for_url(f"**/object?**")
    assert net[1] in page.inner_text("body")


def test_exports_png_svg_json_and_force_layout(page, harness, gstore, scanned):
    clique = gstore["cliques"].find_one({"environment": scanned, "focal_point_type": "instance"})
    focal = gstore["inventory"].find_one({"_id": clique["focal_point"]})
    drawn = open_graph(page, harness, scanned, focal["id"])
    page.click(".cg-export summary")
    with page.expect_download() as d:
        page.click("text=Picture (PNG)")
    assert Path(d.value.path()).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if not page.is_visible("text=Drawing (SVG)"):
        page.click(".cg-export summary")
    with page.expect_download() as d:
        page.click("text=Drawing (SVG)")
    svg = ET.parse(d.value.path()).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert len(svg.findall(f".//{ns}line")) == len(drawn["links"])
    assert focal.get("object_name", focal["name"]) in [t.text for t in svg.findall(f".//{ns}text")]
    href = page.evaluate("() => { const a = document.querySelector('.cg-export a[data-format=json]'); a.click(); return a.href; }")
    assert "format=json" in href and "max_nodes=5000" in href
    page.select_option(".cg-layout", "force")
    page.wait_for_selector(READY, state="attached")
    _wait(page, lambda: page.evaluate("() => document.getElementById('calipso-graph').dataset.state") == "ready")
    assert page.evaluate("() => calipsoGraph.layoutName") == "force"
    shot(page, "force")


def _wait(page, predicate, timeout: float = 20.0) -> None:
    import time
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, "the page did not get there in time"
        page.wait_for_timeout(100)


def test_path_to_another_instance_and_changes_since(page, harness, gstore, scanned):
    insts = sorted(gstore["inventory"].find({"environment": scanned, "type": "instance"}), key=lambda d: d["id"])
    a = insts[0]
    b = next(i for i in insts if i["host"] != a["host"])
    open_graph(page, harness, scanned, a["id"])
    page.fill(".cg-path-input", b["object_name"] or b["name"])
    page.locator(f'.cg-suggestion[data-id="{b["id"]}"]').click()
    page.wait_for_selector("#calipso-graph[data-overlay=path]", state="attached")
    want = harness.client.simulate_get("/path", query_string=f"env_name={scanned}&source={a['id']}&target={b['id']}",
                                       headers={"X-Auth-Token": harness.token}).json
    assert page.locator(".cg-hops li").count() == len(want["nodes"])
    on_graph = page.evaluate("() => calipsoGraph.cy.nodes('.on-path').map(n => n.id())")
    assert on_graph and set(on_graph) <= {n["id"] for n in want["nodes"]}
    assert page.locator(".cg-off-graph").count() == sum(1 for n in want["nodes"] if n["id"] not in set(on_graph))
    assert want["hops"][0]["segment"] in page.inner_text(".cg-hops")   # each hop says its network and segment
    assert "Worst status on the path" in page.inner_text(".cg-side")
    shot(page, "path")
    page.click(".cg-side-close")
    assert page.evaluate("() => calipsoGraph.cy.elements('.on-path').length") == 0
    page.select_option(".cg-since", "1")    # the scan that built this cloud ran minutes ago: all of it is new
    page.wait_for_selector("#calipso-graph[data-overlay=changes]", state="attached")
    added = page.evaluate("() => calipsoGraph.cy.nodes('.added').length")
    assert added == page.evaluate("() => calipsoGraph.cy.nodes('.obj').length")
    assert f"{added} added" in page.inner_text(".cg-side")
    shot(page, "changes")
    assert page.errors == []

