"""The routes the web console reads (/tree, /tree/path, /summary, /search/inventory): the shared
contract, and what each returns for a viewer, an admin and someone who may not view."""

from __future__ import annotations

from tests.integration.api.contract import Case, RouteContract, q


class TestTree(RouteContract):
    path, list_key = "/tree", "children"
    cases = {"GET": Case(q("env_name={env}"))}
    invalid = [("GET", "env_name={env}&limit=0", "limit"), ("GET", "env_name={env}&parent_id=$ne", "parent_id")]


class TestTreePath(RouteContract):
    path, list_key = "/tree/path", "path"
    cases = {"GET": Case(q("env_name={env}&id={vnic}"))}
    invalid = [("GET", "env_name={env}", "id")]


class TestSummary(RouteContract):
    path, list_key = "/summary", "environments"
    cases = {"GET": Case(q("env_name={env}"))}
    invalid = [("GET", "message_days=0", "message_days")]


class TestInventorySearch(RouteContract):
    path, list_key = "/search/inventory", "objects"
    cases = {"GET": Case(q("env_name={env}&query=tap"))}
    invalid = [("GET", "env_name={env}", "query"), ("GET", "query=x&limit=1000", "limit"),
               ("GET", "query=x&type=spaceship", "type")]


def test_tree_walks_down_level_by_level(api):
    top = api.get("/tree", "alice", "env_name=visible").json
    assert [(n["id"], n["type"], n["has_children"]) for n in top["children"]] == [("RegionOne", "region", True)]
    hosts = api.get("/tree", "alice", "env_name=visible&parent_id=RegionOne").json["children"]
    assert [n["id"] for n in hosts] == ["visible-node-1"] and hosts[0]["has_children"]
    vnics = api.get("/tree", "alice", "env_name=visible&parent_id=visible-node-1&limit=2").json
    assert [n["id"] for n in vnics["children"]] == ["visible-tap0", "visible-tap1"]
    assert vnics["more"] == 1 and not vnics["children"][0]["has_children"]


def test_ports_in_the_tree_say_what_they_belong_to_not_only_their_mac(api):
    """A port is named by its MAC; the tree adds its instance's name, or its role when its device is no object."""
    from app.inventory import Inventory
    from app.paths import place

    inv = Inventory(api.store)
    region = api.store["inventory"].find_one({"environment": "visible", "id": "RegionOne"})
    vm = place({"id": "uuid-vm", "type": "instance", "name": "web-<1>", "host": "visible-node-1"}, region, "visible")
    folder = place({"id": "net-ports", "type": "ports_folder", "name": "Ports"}, region, "visible")
    ports = [place({"id": pid, "type": "port", "name": mac, "device_id": dev, "device_owner": owner}, folder, "visible")
             for pid, mac, dev, owner in (("p1", "fa:16:3e:00:00:01", "uuid-vm", "compute:nova"),
                                          ("p2", "fa:16:3e:00:00:02", "dhcp-abc-net", "network:dhcp"),
                                          ("p3", "fa:16:3e:00:00:03", "", ""))]
    inv.upsert([vm, folder, *ports])
    children = api.get("/tree", "alice", "env_name=visible&parent_id=net-ports").json["children"]
    assert [(n["name"], n.get("detail")) for n in children] == [
        ("fa:16:3e:00:00:01", "web-<1>"), ("fa:16:3e:00:00:02", "DHCP"), ("fa:16:3e:00:00:03", None)]
    chain = api.get("/tree/path", "alice", "env_name=visible&id=p1").json["path"]
    assert chain[-1]["detail"] == "web-<1>"


def test_a_node_whose_first_child_is_hidden_still_opens_on_its_shown_ones(api):
    from app.inventory import Inventory
    from app.paths import place

    region = api.store["inventory"].find_one({"environment": "visible", "id": "RegionOne"})
    folders = [place({"id": f, "type": "ports_folder", "name": f}, region, "visible") for f in ("a-mixed", "b-hidden")]
    kids = [place({"id": "a0", "type": "port", "name": "a0", "show_in_tree": False}, folders[0], "visible"),
            place({"id": "a1", "type": "port", "name": "a1"}, folders[0], "visible"),
            place({"id": "b0", "type": "port", "name": "b0", "show_in_tree": False}, folders[1], "visible")]
    Inventory(api.store).upsert([*folders, *kids])
    children = api.get("/tree", "alice", "env_name=visible&parent_id=RegionOne").json["children"]
    opens = {n["id"]: n["has_children"] for n in children}
    assert opens["a-mixed"] is True and opens["b-hidden"] is False
    assert [n["id"] for n in api.get("/tree", "alice", "env_name=visible&parent_id=a-mixed").json["children"]] == ["a1"]


def test_a_subtree_holds_its_own_objects_not_a_sibling_whose_id_shares_its_start(api):
    from app.inventory import Inventory
    from app.paths import place

    region = api.store["inventory"].find_one({"environment": "visible", "id": "RegionOne"})
    made = [place({"id": h, "type": "host", "host": h}, region, "visible") for h in ("node", "node-2", "node0")]
    made.append(place({"id": "node-vnic", "type": "vnic", "host": "node"}, made[0], "visible"))
    Inventory(api.store).upsert(made)
    rows = api.get("/inventory", "alice", "env_name=visible&parent_path=/visible/RegionOne/node&sub_tree=true").json
    assert sorted(o["id"] for o in rows["objects"]) == ["node", "node-vnic"]


def test_tree_path_is_the_chain_from_the_root(api):
    chain = api.get("/tree/path", "alice", "env_name=visible&id=visible-tap2").json["path"]
    assert [n["id"] for n in chain] == ["RegionOne", "visible-node-1", "visible-tap2"]
    assert api.get("/tree/path", "alice", "env_name=visible&id=nothing-here").status_code == 404


def test_summary_counts_only_viewable_environments(api):
    alice = api.get("/summary", "alice").json["environments"]
    assert [e["name"] for e in alice] == ["visible"]
    assert alice[0]["counts"]["host"] == 1 and alice[0]["counts"]["region"] == 1 and alice[0]["objects"] == 5
    assert alice[0]["regions"] == [{"id": "RegionOne", "name": "RegionOne"}] and alice[0]["can_edit"] is False
    assert alice[0]["messages"]["info"] == 1
    admin = {e["name"] for e in api.get("/summary", "admin").json["environments"]}
    assert {"visible", "hidden"} <= admin
    assert api.get("/summary", "mallory").json == {"environments": [], "messages": {"error": 0, "warning": 0, "info": 0}}


def test_summary_version_changes_with_the_inventory(api):
    before = api.get("/summary", "alice", "env_name=visible").json["environments"][0]["version"]
    api.store["messages"].insert_one({"environment": "visible", "level": "error", "id": "m-new",
                                      "timestamp": api.clock()})
    after = api.get("/summary", "alice", "env_name=visible").json["environments"][0]
    assert after["version"] != before and after["messages"]["error"] == 1


def test_search_spans_viewable_environments_only(api):
    admin = {(o["environment"], o["id"]) for o in api.get("/search/inventory", "admin", "query=TAP1").json["objects"]}
    assert {("visible", "visible-tap1"), ("hidden", "hidden-tap1")} <= admin
    alice = api.get("/search/inventory", "alice", "query=tap").json["objects"]
    assert {o["environment"] for o in alice} == {"visible"} and len(alice) == 3
    assert api.get("/search/inventory", "alice", "query=.*").json["objects"] == []
    assert api.get("/search/inventory", "alice", "query=x&env_name=hidden").status_code == 404


def test_summary_without_counts_is_the_change_marker_alone(api):
    full = api.get("/summary", "alice", "env_name=visible").json["environments"][0]
    light = api.get("/summary", "alice", "env_name=visible&counts=false").json
    assert "messages" not in light and "counts" not in light["environments"][0]
    assert light["environments"][0]["version"] == full["version"]


def test_suggestions_by_prefix_are_case_insensitive_in_name_order_and_viewable_only(api):
    admin = api.get("/search/inventory", "admin", "query=ViSiBlE-T&match=prefix").json["objects"]
    assert [o["id"] for o in admin] == ["visible-tap0", "visible-tap1", "visible-tap2"]
    both = api.get("/search/inventory", "admin", "query=HIDDEN-tap1&match=prefix").json["objects"]
    assert [(o["environment"], o["id"]) for o in both] == [("hidden", "hidden-tap1")]
    merged = api.get("/search/inventory", "admin", "query=h&match=prefix&limit=2").json["objects"]
    assert [o["name"] for o in merged] == sorted(o["name"] for o in api.get(
        "/search/inventory", "admin", "query=h&match=prefix&limit=200").json["objects"])[:2]
    assert api.get("/search/inventory", "alice", "query=hidden&match=prefix").json["objects"] == []
    assert api.get("/search/inventory", "alice", "query=tap&match=prefix").json["objects"] == []   # not a prefix
    typed = api.get("/search/inventory", "alice", "query=visible&match=prefix&type=host").json["objects"]
    assert [o["id"] for o in typed] == ["visible-node-1"]
    assert api.get("/search/inventory", "alice", "query=.*&match=prefix").json["objects"] == []


def test_a_renamed_object_is_suggested_by_its_new_name_only(api):
    from app.inventory import Inventory

    inv = Inventory(api.store)
    vnic = api.data["visible"]["vnic"]
    doc = inv.get("visible", vnic)
    old = doc["name"]
    try:
        inv.patch([(doc["_id"], {"name": "Renamed-Port"})])     # a listener's or a link finder's write
        assert [o["id"] for o in api.get("/search/inventory", "alice", "query=renamed-p&match=prefix").json[
            "objects"]] == [vnic]
        assert vnic not in [o["id"] for o in api.get("/search/inventory", "alice", f"query={old}&match=prefix").json[
            "objects"]]
    finally:
        inv.patch([(doc["_id"], {"name": old})])
    assert [o["id"] for o in api.get("/search/inventory", "alice", f"query={old}&match=prefix").json["objects"]] == [vnic]
