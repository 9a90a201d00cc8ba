"""Inventory pages: `page`/`page_size` as in the original, and `after` cursors (next_after) that walk the
same rows in the same order, each page read from the index after the last row shown."""

from __future__ import annotations

import base64

from app.inventory import Inventory
from app.paths import place, root


def _walk_after(api, query: str, size: int, after: str | None = None) -> list[str]:
    ids = []
    for _ in range(100):
        r = api.get("/inventory", query=f"{query}&page_size={size}" + (f"&after={after}" if after else ""))
        assert r.status_code == 200, r.text
        ids += [o["id"] for o in r.json["objects"]]
        after = r.json.get("next_after")
        if not after:
            return ids
    raise AssertionError("the cursors never ended")


def _walk_pages(api, query: str, size: int) -> list[str]:
    ids = []
    for page in range(100):
        r = api.get("/inventory", query=f"{query}&page_size={size}&page={page}")
        assert r.status_code == 200, r.text
        got = [o["id"] for o in r.json["objects"]]
        ids += got
        if len(got) < size:
            return ids
    raise AssertionError("the pages never ended")


def test_cursor_pages_walk_every_object_once_in_the_order_of_numbered_pages(api):
    env = "visible"
    everything = sorted(d["id"] for d in api.store["inventory"].find({"environment": env}, {"id": 1}))
    assert len(everything) >= 5
    for size in (1, 2, 3, len(everything), 1000):
        by_cursor = _walk_after(api, f"env_name={env}", size)
        assert by_cursor == _walk_pages(api, f"env_name={env}", size)
        assert sorted(by_cursor) == everything and len(set(by_cursor)) == len(by_cursor)


def test_cursor_pages_of_one_type_and_of_one_parent(api):
    env, host = "visible", api.data["visible"]["host"]
    vnics = sorted(d["id"] for d in api.store["inventory"].find({"environment": env, "type": "vnic"}, {"id": 1}))
    assert _walk_after(api, f"env_name={env}&type=vnic", 2) == vnics
    children = sorted(d["id"] for d in api.store["inventory"].find({"environment": env, "parent_id": host}, {"id": 1}))
    assert _walk_after(api, f"env_name={env}&parent_id={host}", 2) == children


def test_objects_written_between_two_pages_are_neither_repeated_nor_skipped_before_the_cursor(api):
    env = "visible"
    first = api.get("/inventory", query=f"env_name={env}&type=vnic&page_size=2").json
    shown = [o["id"] for o in first["objects"]]
    # a new vNIC sorting before the cursor, and one after it
    r = root(env)
    host = place({"id": api.data[env]["host"], "type": "host", "host": api.data[env]["host"]}, r, env)
    Inventory(api.store).upsert([place({"id": f"{env}-tap0a", "type": "vnic", "host": host["id"]}, host, env),
                                 place({"id": f"{env}-tapz", "type": "vnic", "host": host["id"]}, host, env)])
    try:
        rest = _walk_after(api, f"env_name={env}&type=vnic", 2, first["next_after"])
        assert not set(shown) & set(rest)
        assert f"{env}-tapz" in rest and f"{env}-tap0a" not in rest
    finally:
        api.store["inventory"].delete_many({"id": {"$in": [f"{env}-tap0a", f"{env}-tapz"]}})


def test_a_cursor_does_not_reach_outside_the_callers_environments(api):
    hidden_key = base64.urlsafe_b64encode(b"hidden|").decode()
    r = api.get("/inventory", user="alice", query=f"env_name=visible&after={hidden_key}")
    assert r.status_code == 200
    assert all(o["environment"] == "visible" for o in r.json["objects"])
    r = api.get("/inventory", user="alice", query=f"after={base64.urlsafe_b64encode(b'a').decode()}")
    assert r.status_code == 200
    assert {o["environment"] for o in r.json["objects"]} == {"visible"}


def test_bad_cursors_are_refused_clearly(api):
    r = api.get("/inventory", query="env_name=visible&after=%%%")
    assert r.status_code == 400 and "after" in r.text
    ok = base64.urlsafe_b64encode(b"visible|host").decode()
    r = api.get("/inventory", query=f"env_name=visible&after={ok}&page=2")
    assert r.status_code == 400 and "page" in r.text
