"""What an administrator notices when using the admin routes: rules kept, nothing lost, rights enforced."""

from __future__ import annotations

from bson import ObjectId

from app.inventory import Inventory
from app.links import Links, new_link
from app.messages import Messages
from app.paths import place, root
from app.store.init import init_db
from tests.integration.api.test_auth import login


def problems(r) -> list[str]:
    return [p["parameter"] for p in r.json["error"].get("problems", [])]


def test_link_type_edit_and_delete_respect_the_clique_types_following_it(api):
    r = api.call("POST", "/link_types", json_body={"endPointA": "vservice", "endPointB": "host", "description": "d"})
    oid = r.json["id"]
    assert api.call("PUT", f"/link_types/{oid}", json_body={"endPointA": "vservice", "endPointB": "host",
                                                            "description": "uplink"}).status_code == 200
    assert api.get(f"/link_types/{oid}", user="alice").json["description"] == "uplink"
    # a clique type may follow a link type added through /link_types (not only the shipped constants)
    r = api.call("POST", "/clique_types", json_body={"name": "pnic-net", "environment": "visible",
                                                     "focal_point_type": "vservice", "link_types": ["vservice-host"]})
    assert r.status_code == 201, r.text
    ct = r.json["id"]
    r = api.call("DELETE", f"/link_types/{oid}")
    assert r.status_code == 409 and "pnic-net" in r.json["error"]["message"]
    r = api.call("PUT", f"/link_types/{oid}", json_body={"endPointA": "vservice", "endPointB": "switch"})
    assert r.status_code == 409
    assert api.call("DELETE", f"/clique_types/{ct}").status_code == 200
    assert api.call("DELETE", f"/link_types/{oid}").status_code == 200
    assert api.get(f"/link_types/{oid}").status_code == 404
    # a pair that exists already cannot be created again by renaming another
    other = api.call("POST", "/link_types", json_body={"endPointA": "otep", "endPointB": "switch"}).json["id"]
    r = api.call("PUT", f"/link_types/{other}", json_body={"endPointA": "instance", "endPointB": "vnic"})
    assert r.status_code == 409


def test_deleted_seed_entries_stay_deleted_and_edited_ones_are_not_duplicated(api):
    seeded = api.store["clique_types"].find_one({"_seed": {"$exists": True}, "name": "network"})
    r = api.call("PUT", f"/clique_types/{seeded['_id']}", json_body={
        "name": "network", "environment": "ANY", "focal_point_type": "network",
        "link_types": ["network-host_pnic", "host_pnic-vconnector"]})
    assert r.status_code == 200, r.text
    vlink = api.store["link_types"].find_one({"type": "network-instance"})
    assert api.call("DELETE", f"/link_types/{vlink['_id']}").status_code == 200
    init_db(api.store)
    assert api.store["link_types"].find_one({"type": "network-instance"}) is None
    networks = list(api.store["clique_types"].find({"name": "network", "environment": "ANY"}))
    assert len(networks) == 1 and networks[0]["link_types"] == ["network-host_pnic", "host_pnic-vconnector"]


def test_clique_type_rules_hold_on_update_and_hidden_ones_do_not_exist_for_viewers(api):
    a = api.call("POST", "/clique_types", json_body={"name": "ct-a", "environment": "visible",
                                                     "focal_point_type": "host", "link_types": ["host_pnic-vconnector"]})
    b = api.call("POST", "/clique_types", json_body={"name": "ct-b", "environment": "visible",
                                                     "focal_point_type": "otep", "link_types": ["otep-vedge"]})
    assert a.status_code == b.status_code == 201
    r = api.call("PUT", f"/clique_types/{b.json['id']}", json_body={
        "name": "ct-b", "environment": "visible", "focal_point_type": "host", "link_types": ["otep-vedge"]})
    assert r.status_code == 400 and "focal_point_type" in problems(r)
    r = api.call("PUT", f"/clique_types/{b.json['id']}", json_body={
        "name": "ct-b", "environment": "visible", "mechanism_drivers": "OVS", "focal_point_type": "otep",
        "link_types": ["otep-vedge"]})
    assert r.status_code == 400 and "environment" in problems(r)
    assert api.call("PUT", f"/clique_types/{b.json['id']}", user="erin", json_body={
        "name": "ct-b", "environment": "visible", "focal_point_type": "otep", "link_types": ["otep-vedge"]}
    ).status_code == 403
    hidden = api.call("POST", "/clique_types", json_body={"name": "ct-h", "environment": "hidden",
                                                          "focal_point_type": "host", "link_types": ["otep-vedge"]})
    assert api.get(f"/clique_types/{hidden.json['id']}", user="alice").status_code == 404
    assert api.get(f"/clique_types/{hidden.json['id']}", user="admin").status_code == 200


def _instance_chain(store, env: str) -> dict:
    """instance -> vnic -> vconnector, and a second vnic on another network (cut by the constraint)."""
    inv = Inventory(store)
    host = place({"id": "pv-host", "type": "host", "host": "pv-host"}, root(env), env)
    inst = place({"id": "pv-vm", "type": "instance", "host": "pv-host", "network": ["net-a"]}, host, env)
    vnic = place({"id": "pv-tap1", "type": "vnic", "host": "pv-host"}, inst, env)
    vnic2 = place({"id": "pv-tap2", "type": "vnic", "host": "pv-host"}, inst, env)
    br = place({"id": "pv-br", "type": "vconnector", "host": "pv-host"}, host, env)
    inv.upsert([host, inst, vnic, vnic2, br])
    d = {x["id"]: x for x in inv.get_many(env, ["pv-vm", "pv-tap1", "pv-tap2", "pv-br"])}
    Links(store).upsert([
        new_link(env, d["pv-vm"], d["pv-tap1"], attributes={"network": "net-a"}),
        new_link(env, d["pv-vm"], d["pv-tap2"], attributes={"network": "net-b"}),
        new_link(env, d["pv-tap1"], d["pv-br"], attributes={"network": "net-a"}),
    ])
    return d


def test_clique_preview_draws_what_a_scan_would_and_saves_nothing(api):
    _instance_chain(api.store, "visible")
    before = api.store["cliques"].count_documents({})
    r = api.call("POST", "/clique_types/preview", user="alice", json_body={
        "env_name": "visible", "focal_point": "pv-vm", "link_types": ["instance-vnic", "vnic-vconnector"]})
    assert r.status_code == 200, r.text
    assert [n["id"] for n in r.json["nodes"]] == ["pv-vm", "pv-tap1", "pv-br"]  # net-b's vnic cut by the constraint
    assert {(l["source_id"], l["target_id"]) for l in r.json["links"]} == {("pv-vm", "pv-tap1"), ("pv-tap1", "pv-br")}
    assert r.json["constraints"] == {"network": ["net-a"]}
    assert api.store["cliques"].count_documents({}) == before
    only_first = api.call("POST", "/clique_types/preview", json_body={
        "env_name": "visible", "focal_point": "pv-vm", "link_types": ["instance-vnic"]}).json
    assert [n["id"] for n in only_first["nodes"]] == ["pv-vm", "pv-tap1"]
    assert api.call("POST", "/clique_types/preview", user="mallory", json_body={
        "env_name": "visible", "focal_point": "pv-vm", "link_types": ["instance-vnic"]}).status_code == 404


def test_message_counts_match_the_lists_and_viewed_marks_are_kept(api):
    msgs = Messages(api.store)
    ids = [msgs.add(f"m{i}", level=lvl, environment="visible", related_object="pv-vm", related_object_type="instance")
           for i, lvl in enumerate(["error", "error", "warn", "info"])]
    msgs.add("secret", level="error", environment="hidden")
    counts = api.get("/messages/counts", user="alice").json
    listed = api.get("/messages", user="alice", query="page_size=1000").json["messages"]
    assert counts["total"] == len(listed)
    for level, n in counts["levels"].items():
        assert n == len(api.get("/messages", user="alice", query=f"level={level}").json["messages"])
    assert all(m["environment"] == "visible" for m in listed)
    assert api.get("/messages/counts", user="admin").json["levels"]["error"] == counts["levels"]["error"] + 1
    assert {"message", "viewed", "related_object"} <= set(listed[0])
    # a viewer acknowledges messages; counters of unviewed ones follow
    unviewed = api.get("/messages/counts", user="alice", query="env_name=visible&viewed=false").json["total"]
    r = api.call("POST", "/messages/viewed", user="alice", json_body={"env_name": "visible", "ids": ids[:2]})
    assert r.status_code == 200 and r.json["count"] == 2
    assert api.get("/messages/counts", user="alice", query="env_name=visible&viewed=false").json["total"] == unviewed - 2
    one = api.get("/messages", user="alice", query=f"env_name=visible&id={ids[0]}").json
    assert one["viewed"] is True and one["related_object"] == "pv-vm"
    assert api.call("POST", "/messages/viewed", user="alice",
                    json_body={"env_name": "hidden", "all": True}).status_code == 404
    r = api.get("/messages", user="alice", query="related_object=pv-vm&level=error&viewed=true")
    assert sorted(m["id"] for m in r.json["messages"]) == sorted(ids[:2])


def test_admin_sets_rights_per_environment_and_they_apply(api):
    users = api.app.deps.extra["users"]
    users.add("gina", "Gina-pass-123")
    assert api.call("POST", "/scans", user=None, headers=api.basic("gina", "Gina-pass-123"),
                    json_body={"env_name": "visible", "log_level": "info"}).status_code == 404
    r = api.call("PUT", "/users/gina", json_body={"edit_envs": ["visible"]})
    assert r.status_code == 200, r.text
    shown = api.get("/users/gina").json
    assert shown["edit_envs"] == ["visible"] and shown["view_envs"] == ["visible"]
    gina = api.basic("gina", "Gina-pass-123")
    assert api.call("POST", "/scans", user=None, headers=gina,
                    json_body={"env_name": "visible", "log_level": "info"}).status_code == 201
    assert api.call("POST", "/scans", user=None, headers=gina,
                    json_body={"env_name": "hidden", "log_level": "info"}).status_code == 404
    assert api.call("PUT", "/users/gina", json_body={"edit_envs": ["nowhere"]}).status_code == 400
    assert api.call("PUT", "/users/gina", user="erin", json_body={"view_envs": ["visible"]}).status_code == 404
    # view only: edit taken away, view kept
    assert api.call("PUT", "/users/gina", json_body={"view_envs": ["visible"], "edit_envs": []}).status_code == 200
    assert api.call("POST", "/scans", user=None, headers=gina,
                    json_body={"env_name": "visible", "log_level": "info"}).status_code == 403
    listed = {u["username"]: u for u in api.get("/users").json["users"]}
    assert listed["gina"]["view_envs"] == ["visible"] and listed["gina"]["edit_envs"] == []
    assert api.call("DELETE", "/users/gina").status_code == 200
    env = api.store["environments_config"].find_one({"name": "visible"})
    assert "gina" not in env["auth"]["view-env"] + env["auth"]["edit-env"]


def test_disabling_ends_access_and_the_first_admin_is_protected(api):
    users = api.app.deps.extra["users"]
    users.add("hal", "Hal-pass-1234")
    token = login(api, "hal", "Hal-pass-1234").json["token"]
    assert api.call("PUT", "/users/hal", json_body={"disabled": True}).status_code == 200
    assert api.get("/health", user=None, headers={"X-Auth-Token": token}).status_code == 401
    assert login(api, "hal", "Hal-pass-1234").status_code == 401
    assert api.get("/users/hal").json["disabled"] is True
    assert api.call("PUT", "/users/hal", json_body={"disabled": False}).status_code == 200
    assert login(api, "hal", "Hal-pass-1234").status_code == 201
    r = api.call("PUT", "/users/admin", json_body={"disabled": True})
    assert r.status_code == 400 and "disabled" in problems(r)
    users.add("root2", "Root2-pass-123", admin=True)
    root2 = api.basic("root2", "Root2-pass-123")
    r = api.call("DELETE", "/users/admin", user=None, headers=root2)
    assert r.status_code == 400 and "cannot be deleted" in r.text
    assert api.call("PUT", "/users/admin", user=None, headers=root2, json_body={"disabled": True}).status_code == 400
    assert login(api, "admin").status_code == 201
    assert api.call("PUT", "/users/hal", user="alice", json_body={"disabled": True}).status_code == 404


def test_users_change_their_own_password_and_admins_reset_others(api):
    users = api.app.deps.extra["users"]
    users.add("ivy", "Ivy-pass-1234")
    ivy = api.basic("ivy", "Ivy-pass-1234")
    r = api.call("PUT", "/users/ivy", user=None, headers=ivy,
                 json_body={"password": "Ivy-pass-5678", "current_password": "wrong-one"})
    assert r.status_code == 400 and "current_password" in problems(r)
    r = api.call("PUT", "/users/ivy", user=None, headers=ivy,
                 json_body={"password": "short", "current_password": "Ivy-pass-1234"})
    assert r.status_code == 400 and "password" in problems(r)
    assert api.call("PUT", "/users/ivy", user=None, headers=ivy,
                    json_body={"password": "Ivy-pass-5678", "current_password": "Ivy-pass-1234"}).status_code == 200
    assert login(api, "ivy", "Ivy-pass-5678").status_code == 201
    assert api.call("PUT", "/users/ivy", json_body={"password": "Reset-by-admin-1"}).status_code == 200
    assert login(api, "ivy", "Reset-by-admin-1").status_code == 201
    assert not any("Reset-by-admin-1" in line for line in api.logs.lines)


def test_settings_are_per_user_and_kept(api):
    assert api.get("/user_settings", user="erin").json == {"username": "erin", "page_size": 25, "time_zone": "UTC",
                                                           "messages_backward_days": 14}
    r = api.call("PUT", "/user_settings", user="erin", json_body={"time_zone": "Asia/Tokyo"})
    assert r.status_code == 200 and r.json["time_zone"] == "Asia/Tokyo"
    api.call("PUT", "/user_settings", user="erin", json_body={"page_size": 100})
    assert api.get("/user_settings", user="erin").json["time_zone"] == "Asia/Tokyo"
    assert api.get("/user_settings", user="alice").json["time_zone"] == "UTC"
    assert api.call("PUT", "/user_settings", user="erin", json_body={"username": "alice"}).status_code == 400
