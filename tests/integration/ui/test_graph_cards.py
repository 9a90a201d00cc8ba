"""Hover cards in the browser: read when an element is pointed at, with the ids they show as names that link
to their objects (the graph itself ships no cards: app.topology.cards)."""

from __future__ import annotations

from app.inventory import Inventory
from app.paths import place, root
from tests.integration.ui.test_graph_panel import (  # noqa: F401  (fixtures shared with the panel's tests)
    at, chromium, gstore, harness, open_graph, page, shot, synthetic)


def _card_rows(pg) -> dict[str, str]:
    pg.wait_for_selector(".cg-card[data-rows=ready]", state="attached", timeout=30_000)
    return dict(pg.evaluate("() => [...document.querySelectorAll('.cg-card-rows tr')]"
                            ".map(tr => [tr.cells[0].innerText, tr.cells[1].innerText])"))


def test_hover_card_names_ids_and_the_pinned_card_links_them(page, harness, gstore):
    env = "cards"
    made = synthetic(gstore, env, hosts=1, vnics_per_host=2)
    host = place({"id": f"{env}-h0", "type": "host", "host": f"{env}-h0", "name": "compute <i>one</i>"},
                 place({"id": f"{env}-region", "type": "region"}, root(env), env), env)
    Inventory(gstore).upsert([host])
    open_graph(page, harness, env, made["instance"])
    assert page.evaluate("() => calipsoGraph.data.nodes.every(n => !('hover' in n))")   # not shipped with the graph
    focal = page.evaluate("() => calipsoGraph.cy.nodes('.focal')[0].id()")
    page.mouse.move(*at(page, focal))
    rows = _card_rows(page)
    assert rows["host"] == "compute <i>one</i>"          # the name, as text, not the id
    assert rows["type"] == "instance"
    assert page.locator(".cg-card i").count() == 0
    assert "instance — " in page.inner_text(".cg-card-sub")   # the type's tooltip, from the graph's map
    page.mouse.click(*at(page, focal))                  # pinned: the name is a link to the host's page
    page.wait_for_selector(".cg-card.pinned[data-rows=ready]", state="attached")
    ref = page.locator(".cg-card.pinned .cg-card-ref", has_text="compute <i>one</i>")
    assert ref.get_attribute("href") == f"/object?env={env}&id={env}-h0"
    assert f"{env}-h0" in ref.get_attribute("title")
    graph = page.locator(".cg-card.pinned .cg-card-links a", has_text="Graph of host compute <i>one</i>")   # named too
    graph.wait_for()
    assert graph.get_attribute("title") == f"host {env}-h0" and "&view=graph" in graph.get_attribute("href")
    shot(page, "card-names")
    page.keyboard.press("Escape")
    assert page.locator(".cg-card").is_hidden()
    # a link's card names the two objects it joins
    edge = page.evaluate("() => { const e = calipsoGraph.cy.edges('[label *= \"tap0\"]')[0] || calipsoGraph.cy.edges()[0];"
                         " return [e.id(), e.source().data('name'), e.target().data('name')]; }")
    page.mouse.move(*page.evaluate("""(id) => { const e = calipsoGraph.cy.getElementById(id).renderedMidpoint();
        const r = document.querySelector('.cg-canvas').getBoundingClientRect(); return [e.x + r.left, e.y + r.top]; }""", edge[0]))
    rows = _card_rows(page)
    assert rows["source"] == edge[1] and rows["target"] == edge[2]
    assert page.errors == []
