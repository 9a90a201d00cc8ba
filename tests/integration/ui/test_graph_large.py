"""Large cliques in the browser: hosts as summary nodes that open on click, status as fill and badge,
labels that hide when too small, and a failing object highlighted with the way to it."""

from __future__ import annotations

import time
import uuid

import pytest

from app.store.init import init_db
from app.store.store import Store, StoreLocation
from tests.integration.ui.graph_harness import GraphHarness, network_clique
from tests.integration.ui.test_graph_panel import READY, at, shot

ENV = "large"
FAILING = f"{ENV}-host-00042-vedge"


@pytest.fixture(scope="module")
def lstore(store_uri):
    name = f"l_{uuid.uuid4().hex[:10]}"
    store = Store.connect(StoreLocation(f"{store_uri}{name}", "large graph store", embedded=True))
    init_db(store)
    store["environments_config"].insert_one({"name": ENV, "auth": {}})
    made = network_clique(store, ENV, hosts=300, statuses={FAILING: "Error", f"{ENV}-host-00007-otep": "Warning"})
    yield store, made
    store.client.drop_database(name)
    store.close()


@pytest.fixture(scope="module")
def harness(lstore):
    h = GraphHarness(lstore[0])
    yield h
    h.stop()


@pytest.fixture
def page(browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda e: pg.errors.append(str(e)))
    pg.on("console", lambda m: pg.errors.append(m.text) if m.type == "error" else None)
    yield pg
    context.close()


def _wait(pg, check, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "condition not met in time"
        pg.wait_for_timeout(100)


def test_a_300_host_clique_opens_as_summaries_and_a_host_opens_on_click(page, harness, lstore):
    _, made = lstore
    page.goto(harness.page_url(ENV, made["network"]))
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    assert page.get_attribute("#calipso-graph", "data-grouped") == "true"
    summaries = page.evaluate("() => calipsoGraph.cy.nodes('.summary').map(n => [n.data('api').name, n.data('status')])")
    failing = dict(summaries)
    assert failing[f"{ENV}-host-00042"] == "Error" and failing[f"{ENV}-host-00007"] == "Warning"
    assert len(summaries) <= 60
    assert "hosts are shown as summaries" in page.inner_text(".cg-notice")
    # the failing host is unmistakable: red fill, red border and a badge, not only a border
    style = page.evaluate("(id) => { const n = calipsoGraph.cy.getElementById(id); return [n.style('background-color'),"
                          " n.style('border-color'), n.data('images').length]; }", f"group|host:{ENV}-host-00042")
    assert style[0].replace(" ", "") == "rgb(255,205,210)" and style[1].replace(" ", "") == "rgb(198,40,40)"
    assert style[2] == 2
    shot(page, "large-summaries")
    page.evaluate("document.getElementById('calipso-graph').dataset.state = 'redraw'")
    page.mouse.move(*at(page, f"group|host:{ENV}-host-00042"))
    page.locator(".cg-card", has_text=f"{ENV}-host-00042").wait_for(state="visible")
    page.mouse.click(*at(page, f"group|host:{ENV}-host-00042"))
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    assert page.locator(".cg-card").is_hidden()   # the summary's card went with it once the host opened
    opened = page.evaluate("() => calipsoGraph.cy.nodes('.obj').not('.summary').map(n => n.data('type')).sort()")
    assert opened == ["network", "otep", "vconnector", "vedge", "vnic"]
    assert page.evaluate("() => calipsoGraph.cy.getElementById('box|host|" + ENV + "-host-00042').nonempty()")
    shot(page, "large-host-opened")
    assert page.errors == []


def test_labels_hide_when_zoomed_out_and_a_highlight_shows_the_way(page, harness, lstore):
    _, made = lstore
    page.goto(harness.page_url(ENV, made["network"]) + "&group=none&max_nodes=2000&highlight=" + FAILING)
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    assert page.get_attribute("#calipso-graph", "data-highlighted") != "missing"
    on = page.evaluate("() => calipsoGraph.cy.elements('.on-path').map(e => e.data('type') || 'edge')")
    assert sorted(t for t in on if t != "edge") == ["network", "vconnector", "vedge", "vnic"] and on.count("edge") == 3
    shot(page, "large-highlight")
    # 1,201 objects: names are drawn only once zoomed in far enough to read them, and again not when zoomed out
    label = "(id) => calipsoGraph.cy.getElementById(id).style('label')"
    vedge = page.evaluate("(oid) => calipsoGraph.cy.nodes('.obj').filter(n => n.data('api').object_id === oid)[0].id()",
                          FAILING)
    page.evaluate("() => calipsoGraph.cy.zoom(0.1)")
    assert page.evaluate(label, vedge) == ""
    page.evaluate("(id) => { const cy = calipsoGraph.cy; cy.zoom(1.2); cy.center(cy.getElementById(id)); }", vedge)
    assert page.evaluate(label, vedge) == f"vedge on {ENV}-host-00042"
    page.wait_for_timeout(1000)   # the canvas is redrawn a moment after the viewport moves
    shot(page, "large-zoomed-in")
    # a host box folded while zoomed in stays folded when zooming out changes the style
    box = f"box|host|{ENV}-host-00043"
    page.evaluate("(id) => calipsoGraph.cy.getElementById(id).emit('tap')", box)
    hidden = ("(id) => calipsoGraph.cy.nodes('.obj').filter(n => n.data('box') === id)"
              ".map(n => n.style('display'))")
    assert set(page.evaluate(hidden, box)) == {"none"}
    page.evaluate("() => calipsoGraph.cy.zoom(0.1)")
    assert page.evaluate(label, vedge) == ""
    assert set(page.evaluate(hidden, box)) == {"none"}
    assert page.evaluate("() => calipsoGraph.cy.nodes('.obj')[0].pstyle('min-zoomed-font-size').pfValue") >= 8
    assert page.errors == []


CROSSINGS = """([nodes, edges, reorder]) => {
  const p = CalipsoGraph.layered(nodes, reorder ? edges : undefined).positions;
  const seg = edges.map(([a, b]) => [p[a], p[b]]);
  const side = (a, b, c) => Math.sign((b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x));
  let n = 0;
  for (let i = 0; i < seg.length; i++) for (let j = i + 1; j < seg.length; j++) {
    const [a, b] = seg[i], [c, d] = seg[j];
    if (side(a, b, c) * side(a, b, d) < 0 && side(c, d, a) * side(c, d, b) < 0) n++;
  }
  return n;
}"""


def test_the_layered_layout_orders_rows_to_cross_fewer_links(page, harness, lstore):
    _, made = lstore
    page.goto(harness.page_url(ENV, made["network"]))
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    # three VMs on one host whose vNICs, in name order, sit in the opposite order, each on its own bridge
    nodes = [{"id": f"vm{i}", "type": "instance", "name": f"vm{i}", "box": "h"} for i in range(3)]
    nodes += [{"id": f"tap{i}", "type": "vnic", "name": f"tap{i}", "box": "h"} for i in range(3)]
    nodes += [{"id": f"br{i}", "type": "vconnector", "name": f"br{i}", "box": "h"} for i in range(3)]
    edges = [["vm0", "tap2"], ["vm1", "tap1"], ["vm2", "tap0"], ["tap0", "br2"], ["tap1", "br0"], ["tap2", "br1"]]
    by_name = page.evaluate(CROSSINGS, [nodes, edges, False])
    reordered = page.evaluate(CROSSINGS, [nodes, edges, True])
    assert by_name >= 3 and reordered == 0, (by_name, reordered)
