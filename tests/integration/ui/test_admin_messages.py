"""Messages in the browser: counters and the level filter agree with the API, hostile text stays text,
a viewer marks messages viewed, and a message links to its object."""

from __future__ import annotations

import uuid

from app.messages import Messages
from tests.integration.ui.conftest import login

HOSTILE = "<script>window.__pwned=1</script><img src=x onerror=window.__pwned=2>"


def seed(console, tag: str) -> dict:
    msgs = Messages(console.store)
    levels = ["error", "error", "crit", "warn", "info", "info", "info"]
    ids = [msgs.add(f"{tag} message {i} ({lvl})", level=lvl, environment=console.env, related_object=tag,
                    related_object_type="instance") for i, lvl in enumerate(levels)]
    hostile = msgs.add(HOSTILE, level="error", environment=console.env, related_object=HOSTILE + tag)
    return {"ids": ids, "hostile": hostile}


def test_level_tiles_and_filter_match_the_api(page, console, shot):
    tag = f"msgtag-{uuid.uuid4().hex[:6]}"
    seed(console, tag)
    login(page, "alice", console.users["alice"])
    page.goto(f"/messages-list?env={console.env}&related_object={tag}")
    api = console.api_get("alice", "/messages/counts", {"env_name": console.env, "related_object": tag})["levels"]
    expected = {"error": api.get("error", 0) + api.get("crit", 0), "warning": api.get("warn", 0),
                "info": api.get("info", 0)}
    assert expected == {"error": 3, "warning": 1, "info": 3}
    for level, n in expected.items():
        assert page.locator(f'#message-tiles [data-level="{level}"] .tile-n').inner_text() == str(n)
    assert page.locator('#message-tiles [data-level="all"] .tile-n').inner_text() == "7"
    page.click('#message-tiles [data-level="error"]')
    page.wait_for_selector('#message-tiles .tile.active[data-level="error"]')
    levels = page.locator("#messages tr[data-message]").evaluate_all("rows => rows.map(r => r.dataset.level)")
    assert sorted(levels) == ["crit", "error", "error"]
    shot(page, "admin-messages-error")
    # the top bar's error counter opens the list filtered the same way
    page.click(".topbar .counter-error")
    page.wait_for_selector('#message-tiles .tile.active[data-level="error"]')
    assert page.js_errors == []


def test_hostile_message_text_is_shown_as_text(page, console, shot):
    tag = f"msgtag-{uuid.uuid4().hex[:6]}"
    ids = seed(console, tag)
    login(page, "alice", console.users["alice"])
    page.goto(f"/messages-list?env={console.env}&related_object={HOSTILE + tag}")
    row = page.locator(f'#messages tr[data-message="{ids["hostile"]}"]')
    assert HOSTILE in row.inner_text()
    assert page.evaluate("window.__pwned") is None
    row.locator(".msg-text a").click()
    page.wait_for_selector("#message")
    assert page.locator("#message-text").inner_text() == HOSTILE
    assert HOSTILE + tag in page.locator("#related").inner_text()
    assert page.evaluate("window.__pwned") is None
    shot(page, "admin-message-hostile")


def test_a_viewer_marks_messages_viewed_and_follows_the_related_object(page, console):
    tag = f"msgtag-{uuid.uuid4().hex[:6]}"
    ids = seed(console, tag)["ids"]
    login(page, "alice", console.users["alice"])
    page.goto(f"/messages-list?env={console.env}&related_object={tag}&viewed=false")
    assert page.locator("#messages tr[data-message]").count() == 7
    page.check(f'#messages tr[data-message="{ids[0]}"] input[name="ids"]')
    page.check(f'#messages tr[data-message="{ids[1]}"] input[name="ids"]')
    page.click("#mark-viewed")
    page.wait_for_selector("#messages")
    assert page.locator("#messages tr[data-message]").count() == 5
    assert console.api_get("alice", "/messages", {"env_name": console.env, "id": ids[0]})["viewed"] is True
    page.goto(f"/message/{console.env}/{ids[2]}")
    page.click("#mark-this-viewed")
    page.wait_for_selector("#message")
    assert page.locator("#viewed").inner_text() == "yes"
    instance = console.api_get("alice", "/inventory", {"env_name": console.env, "type": "instance"})["objects"][0]
    mid = Messages(console.store).add("about a vm", level="warn", environment=console.env,
                                      related_object=instance["id"], related_object_type="instance")
    page.goto(f"/message/{console.env}/{mid}")
    assert page.locator("#related a").inner_text() == instance["name"]       # its name, not its id
    assert instance["id"] in page.locator("#related").inner_text()            # the id beside it
    page.goto(f"/messages-list?env={console.env}&related_object={instance['id']}")
    assert page.locator(f'#messages tr[data-message="{mid}"] a', has_text=instance["name"]).count() == 1
    page.goto(f"/message/{console.env}/{mid}")
    page.click("#related a")
    page.wait_for_load_state("domcontentloaded")
    assert f"selectedNodeId={instance['id']}" in page.url
    assert page.locator("#object-title").inner_text() == instance["name"]
