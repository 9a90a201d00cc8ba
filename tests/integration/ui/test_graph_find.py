"""Find and Hide expressions on the graph (ui/static/graph/find.js, findbox.js) and the graph from the
keyboard (keyboard.js), in Chromium: what an operator types, sees, and reaches without a mouse."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from tests.integration.ui.axe import assert_accessible
from tests.integration.ui.graph_harness import network_clique
from tests.integration.ui.test_graph_panel import (  # noqa: F401  (fixtures shared with the panel's tests)
    READY, _wait, chromium, corner, gstore, harness, open_graph, page, shot, synthetic)

HOSTILE = "<img src=x onerror=window.__pwned=1>"


def found(pg) -> list[str]:
    return pg.evaluate("() => calipsoGraph.cy.nodes('.found')"
                       ".map(n => n.data('api').object_id || n.data('name')).sort()")


def shown_types(pg) -> set[str]:
    return set(pg.evaluate("() => calipsoGraph.cy.nodes('.obj').filter(n => n.visible()).map(n => n.data('type'))"))


def message(pg) -> str:
    return pg.inner_text(".cg-found")


def test_find_marks_matches_hide_takes_them_away_and_the_url_keeps_both(page, harness, gstore):
    env = "find"
    made = synthetic(gstore, env, hosts=2, vnics_per_host=2, statuses={f"{env}-h1-tap1": "Error"})
    gstore["inventory"].update_one({"environment": env, "id": f"{env}-h0-tap0"}, {"$set": {"object_name": HOSTILE}})
    open_graph(page, harness, env, made["instance"])
    page.fill(".cg-find", "type=vnic and host=find-h1")
    _wait(page, lambda: message(page) == "2 found")
    assert found(page) == [f"{env}-h1-tap0", f"{env}-h1-tap1"]
    dimmed = page.evaluate("() => calipsoGraph.cy.nodes('.obj.dimmed').length")
    assert dimmed == made["objects"] - 2                       # the rest is dimmed, not gone
    page.fill(".cg-find", "status=error, name=find-h0-br")
    _wait(page, lambda: found(page) == [f"{env}-h0-br", f"{env}-h1-tap1"])
    assert message(page) == "2 found"
    page.fill(".cg-find", '"<img src=x"')                       # a hostile name is found as text
    _wait(page, lambda: message(page) == "1 found")
    assert page.evaluate("window.__pwned") is None and page.locator(".cg-panel img").count() == 0
    page.fill(".cg-find", "")
    page.fill(".cg-hide", "type=vnic")
    _wait(page, lambda: message(page) == "4 hidden")
    assert shown_types(page) == {"instance", "vconnector"}
    assert page.evaluate("() => calipsoGraph.cy.nodes('.found, .dimmed').length") == 0
    query = parse_qs(urlparse(page.url).query)
    assert query["hide"] == ["type=vnic"] and "find" not in query
    shot(page, "find-hide-vnics")
    # a shared link shows the same view
    page.goto(page.url)
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    assert page.input_value(".cg-hide") == "type=vnic" and shown_types(page) == {"instance", "vconnector"}
    page.fill(".cg-hide", "type=*")                             # everything: an empty picture, no error
    _wait(page, lambda: message(page) == f"{made['objects']} hidden")
    assert shown_types(page) == set() and page.evaluate("() => calipsoGraph.cy.nodes(':visible').length") == 0
    page.fill(".cg-hide", "")
    _wait(page, lambda: len(shown_types(page)) == 3)
    assert page.evaluate("() => calipsoGraph.cy.nodes('.box').filter(n => n.visible()).length") == 2
    assert page.errors == []


def test_a_bad_expression_says_what_and_where_and_changes_nothing(page, harness, gstore):
    env = "findbad"
    made = synthetic(gstore, env, hosts=1, vnics_per_host=2)
    open_graph(page, harness, env, made["instance"])
    page.fill(".cg-find", "type=vnic")
    _wait(page, lambda: message(page) == "2 found")
    page.fill(".cg-find", "type=vnic, stauts=error")
    _wait(page, lambda: "Column 12" in message(page))
    assert message(page) == 'Find: Column 12: unknown field "stauts": use name, id, type, host, status or stale'
    assert page.get_attribute(".cg-find", "aria-invalid") == "true"
    assert len(found(page)) == 2                               # what was found stays until the expression is right
    page.focus(".cg-find")
    page.keyboard.press("End")
    page.keyboard.press("Enter")                               # Enter puts the cursor on the mistake
    assert page.evaluate("() => { const i = document.querySelector('.cg-find'); "
                         "return i.value.slice(i.selectionStart, i.selectionEnd); }") == "stauts"
    page.fill(".cg-hide", "status=red")
    _wait(page, lambda: "Hide:" in message(page))
    assert 'Hide: Column 8: status is ok, warning, error or none, not "red"' in message(page)
    shot(page, "find-bad-expression")
    assert_accessible(page, "graph with a bad find expression")
    page.fill(".cg-hide", "")
    page.fill(".cg-find", "type=vnic")
    _wait(page, lambda: message(page) == "2 found")
    assert page.get_attribute(".cg-find", "aria-invalid") is None
    assert page.errors == []


def test_on_summaries_find_says_which_folded_hosts_hold_matches(page, harness, gstore):
    env = "findwide"
    gstore["environments_config"].insert_one({"name": env, "auth": {}})
    made = network_clique(gstore, env, hosts=150, statuses={f"{env}-host-00007-vedge": "Error"})
    open_graph(page, harness, env, made["network"])
    assert page.get_attribute("#calipso-graph", "data-grouped") == "true"
    page.fill(".cg-find", "status=error")
    _wait(page, lambda: message(page).startswith("0 found"))
    assert message(page).startswith(f"0 found · in folded host {env}-host-00007: click one to open it")
    page.fill(".cg-find", "type=otep")
    _wait(page, lambda: "in folded hosts" in message(page))
    summaries = page.evaluate("() => calipsoGraph.cy.nodes('.summary').length")
    assert page.evaluate("() => calipsoGraph.cy.nodes('.summary.found').length") == summaries   # every host has one
    assert f"{env}-host-00007 (1 of 4 objects)" in message(page) and f"and {summaries - 3} more" in message(page)
    page.fill(".cg-find", "name=vedge on findwide-host-00042")
    _wait(page, lambda: "not searched" in message(page))
    assert message(page).startswith("0 found")
    assert f"names inside {summaries} folded hosts are not searched: open one to search it" in message(page)
    shot(page, "find-summaries")
    page.fill(".cg-find", "")
    page.fill(".cg-hide", "type=vnic, type=vconnector, type=vedge, type=otep")   # every host wholly matches
    _wait(page, lambda: "hidden" in message(page))
    assert page.evaluate("() => calipsoGraph.cy.nodes('.summary').filter(n => n.visible()).length") == 0
    assert page.errors == []


def _first_vnic_pinned_from_find(page, harness, gstore, env: str) -> None:
    """Two hosts of two vNICs each; Enter in Find `type=vnic` selects the first and pins its card."""
    made = synthetic(gstore, env, hosts=2, vnics_per_host=2)
    open_graph(page, harness, env, made["instance"])
    page.fill(".cg-find", "type=vnic")
    _wait(page, lambda: message(page) == "4 found")
    page.focus(".cg-find")
    page.keyboard.press("Enter")
    page.wait_for_selector(".cg-card.pinned", state="visible")


def test_the_graph_from_the_keyboard(page, harness, gstore):
    env = "keys"
    # Enter in Find: the next match, its card pinned, the typing staying in the box
    _first_vnic_pinned_from_find(page, harness, gstore, env)
    first = page.get_attribute("#calipso-graph", "data-selected")
    assert page.evaluate("() => document.activeElement.classList.contains('cg-find')")
    assert page.inner_text(".cg-sr").startswith("1 of 4: ")
    page.keyboard.press("Enter")
    second = page.get_attribute("#calipso-graph", "data-selected")
    assert second != first and page.inner_text(".cg-sr").startswith("2 of 4: ")
    page.keyboard.press("Shift+Enter")
    assert page.get_attribute("#calipso-graph", "data-selected") == first
    # Arrow Down goes into the graph; arrows follow links: from a vNIC, left to the instance
    page.keyboard.press("ArrowDown")
    assert page.evaluate("() => document.activeElement.classList.contains('cg-stage')")
    vnic = page.evaluate("(id) => calipsoGraph.cy.getElementById(id).data('api').type", first)
    assert vnic == "vnic"
    focal = page.evaluate("() => calipsoGraph.cy.nodes('.focal')[0].id()")
    side = page.evaluate("""([a, b]) => Math.sign(calipsoGraph.cy.getElementById(b).position('x') -
                            calipsoGraph.cy.getElementById(a).position('x'))""", [first, focal])
    page.keyboard.press("ArrowLeft" if side < 0 else "ArrowRight")
    assert page.get_attribute("#calipso-graph", "data-selected") == focal
    assert "vm <b>one</b>" in page.inner_text(".cg-card.pinned .cg-card-title")
    assert "instance" in page.inner_text(".cg-sr")
    shot(page, "keyboard-card")
    assert_accessible(page, "graph with a card pinned from the keyboard")
    # Tab walks the card's links; Escape closes the card, the graph keeps the focus
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.closest('.cg-card') !== null")
    page.keyboard.press("Escape")
    assert page.locator(".cg-card").is_hidden()
    assert page.evaluate("() => document.activeElement.classList.contains('cg-stage')")
    # Enter on the graph opens the selected object's page
    page.keyboard.press("ArrowRight" if side < 0 else "ArrowLeft")
    page.wait_for_selector(".cg-card.pinned", state="visible")
    page.keyboard.press("Enter")
    page.wait_for_url("**/object?**")
    assert "object page " + env in page.inner_text("body")
    assert page.errors == []


def test_tabbing_into_the_graph_selects_the_focal_object(page, harness, gstore):
    env = "tabkeys"
    made = synthetic(gstore, env, hosts=1, vnics_per_host=1)
    open_graph(page, harness, env, made["instance"])
    page.focus(".cg-layout")
    for _ in range(40):                                         # Tab along the toolbar to the graph
        page.keyboard.press("Tab")
        if page.evaluate("() => document.activeElement.classList.contains('cg-stage')"):
            break
    page.wait_for_selector(".cg-card.pinned", state="visible")
    assert page.get_attribute("#calipso-graph", "data-selected") == \
        page.evaluate("() => calipsoGraph.cy.nodes('.focal')[0].id()")
    # a click on the canvas (not the keyboard) opens no card by itself
    page.keyboard.press("Escape")
    box = page.locator(".cg-canvas").bounding_box()
    page.mouse.click(box["x"] + 5, box["y"] + 5)
    assert page.locator(".cg-card").is_hidden()
    assert page.errors == []


def test_a_folded_host_opens_from_the_keyboard(page, harness, gstore):
    env = "keyswide"
    gstore["environments_config"].insert_one({"name": env, "auth": {}})
    made = network_clique(gstore, env, hosts=130, statuses={f"{env}-host-00003-otep": "Warning"})
    open_graph(page, harness, env, made["network"])
    page.fill(".cg-find", "status=warning")
    _wait(page, lambda: "in folded host" in message(page))
    page.focus(".cg-find")
    page.keyboard.press("Enter")                                # the folded host holding the warning
    page.wait_for_selector(".cg-card.pinned", state="visible")
    assert page.get_attribute("#calipso-graph", "data-selected") == f"group|host:{env}-host-00003"
    assert "folded: 4 objects, worst status Warning. Enter opens it." in page.inner_text(".cg-sr")
    page.keyboard.press("ArrowDown")
    page.evaluate("document.getElementById('calipso-graph').dataset.state = 'redraw'")
    page.keyboard.press("Enter")
    page.wait_for_selector(READY, state="attached", timeout=60_000)
    drawn = page.evaluate("() => calipsoGraph.cy.nodes('.obj').filter(n => n.data('api').host === '%s-host-00003')"
                          ".map(n => n.data('type')).sort()" % env)
    assert drawn == ["otep", "vconnector", "vedge", "vnic"]
    # the Find still holds after the redraw: the warning itself is found now, no longer its folded host
    _wait(page, lambda: found(page) == [f"{env}-host-00003-otep"])
    assert page.errors == []


def test_hidden_objects_stay_hidden_when_their_host_box_folds_and_unfolds(page, harness, gstore):
    env = "findfold"
    made = synthetic(gstore, env, hosts=2, vnics_per_host=2)
    open_graph(page, harness, env, made["instance"])
    page.fill(".cg-hide", "type=vnic")
    _wait(page, lambda: message(page) == "4 hidden")
    box = f"box|host|{env}-h1"
    page.mouse.click(*corner(page, box))                        # fold
    _wait(page, lambda: page.evaluate("(id) => calipsoGraph.cy.getElementById(id).hasClass('collapsed')", box))
    page.mouse.click(*corner(page, box))                        # unfold: its bridge comes back, its vNICs do not
    _wait(page, lambda: not page.evaluate("(id) => calipsoGraph.cy.getElementById(id).hasClass('collapsed')", box))
    assert shown_types(page) == {"instance", "vconnector"}
    assert page.errors == []


def test_hiding_the_object_whose_card_is_pinned_closes_its_card(page, harness, gstore):
    _first_vnic_pinned_from_find(page, harness, gstore, "findcard")
    page.fill(".cg-find", "")
    page.fill(".cg-hide", "type=vnic")
    _wait(page, lambda: message(page) == "4 hidden")
    assert page.locator(".cg-card").is_hidden()          # no card left open for an object no longer drawn
    page.fill(".cg-hide", "type=nothing-here")
    _wait(page, lambda: message(page) == "0 hidden")
    assert page.errors == []
