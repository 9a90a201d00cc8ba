"""Writes and filtered reads through the API, checked in the store and by reading back."""

from __future__ import annotations

from datetime import timedelta

from bson import ObjectId

from app.scans import ScheduledScans
from tests.integration.api.conftest import fresh_env_config, seed


def test_environment_lifecycle_post_put_delete(api):
    doc = fresh_env_config("lifecycle", {"view-env": ["alice", "erin"], "edit-env": ["erin"]})
    assert api.call("POST", "/environment_configs", json_body=doc).status_code == 201
    assert api.call("POST", "/environment_configs", json_body=doc).status_code == 409
    seed(api.store, "lifecycle")
    assert api.get("/inventory", user="alice", query="env_name=lifecycle").json["objects"]
    # erin may edit, but not hand out rights
    doc2 = fresh_env_config("lifecycle", {"view-env": ["alice", "erin", "mallory"], "edit-env": ["erin"]})
    r = api.call("PUT", "/environment_configs/lifecycle", user="erin", json_body=doc2)
    assert r.status_code == 403
    doc2.pop("auth")
    doc2["listen"] = False
    r = api.call("PUT", "/environment_configs/lifecycle", user="erin", json_body=doc2)
    assert r.status_code == 200, r.text
    shown = api.get("/environment_configs/lifecycle", user="alice").json
    assert shown["listen"] is False and shown["auth"]["edit-env"] == ["erin"]  # auth kept
    r = api.call("PUT", "/environment_configs/lifecycle", user="erin", json_body={**doc2, "name": "renamed"})
    assert r.status_code == 400
    r = api.call("PUT", "/environment_configs/lifecycle", user="erin", json_body={**doc2, "type_drivers": "ipx"})
    assert "type_drivers" in [p["parameter"] for p in r.json["error"]["problems"]]
    # delete with purge: config, schedules and inventory go; the environment is then unknown
    assert api.call("DELETE", "/environment_configs/lifecycle", user="alice").status_code == 403
    api.store["tunnel_meshes"].insert_one({"_id": "lifecycle|vxlan", "environment": "lifecycle", "endpoints": []})
    r = api.call("DELETE", "/environment_configs/lifecycle", user="erin", query="purge=true")
    assert r.status_code == 200 and r.json["deleted"]["inventory"] == 5 and r.json["deleted"]["scheduled_scans"] == 1
    assert r.json["deleted"]["tunnel_meshes"] == 1
    assert api.get("/inventory", query="env_name=lifecycle").status_code == 404
    assert api.store["inventory"].count_documents({"environment": "lifecycle"}) == 0


def test_environment_post_lists_every_problem(api):
    doc = fresh_env_config("bad name!")
    doc["distribution"] = "Windows"
    doc["configuration"] = [s for s in doc["configuration"] if s["name"] != "mysql"]
    r = api.call("POST", "/environment_configs", json_body=doc)
    assert r.status_code == 400
    params = [p["parameter"] for p in r.json["error"]["problems"]]
    assert "name" in params and "distribution" in params and "configuration" in params


def test_scan_request_is_queued_with_v2_defaults(api):
    api.clock.advance(60)  # later than the scans seeded with the real clock
    r = api.call("POST", "/scans", user="erin", json_body={"env_name": "visible", "log_level": "debug",
                                                            "scan_only_links": True})
    assert r.status_code == 201 and r.json["message"] == "Created a new scan for environment visible"
    doc = api.store["scans"].find_one({"_id": ObjectId(r.json["id"])})
    assert doc["status"] == "pending" and doc["clear"] is True and doc["scan_only_links"] is True
    assert doc["environment"] == "visible" and doc["submit_timestamp"]
    latest = api.get("/scans", user="alice", query="env_name=visible&latest=true").json
    assert isinstance(latest, list) and latest[0]["id"] == r.json["id"]
    r = api.call("POST", "/scans", user="erin", json_body={"env_name": "visible", "log_level": "info",
                                                            "scan_only_links": True, "scan_only_cliques": True})
    assert r.status_code == 400 and "scan_only" in r.text
    r = api.call("POST", "/scans", user="erin", json_body={"env_name": "visible", "log_level": "info",
                                                            "inventory": "bad$name"})
    assert r.status_code == 400


def test_scan_request_may_ask_for_scan_workers(api):
    r = api.call("POST", "/scans", user="erin", json_body={"env_name": "visible", "log_level": "info",
                                                            "distributed": True})
    assert r.status_code == 201
    assert api.store["scans"].find_one({"_id": ObjectId(r.json["id"])})["distributed"] is True
    r = api.call("POST", "/scans", user="erin", json_body={"env_name": "visible", "log_level": "info",
                                                            "distributed": True, "object_id": "vm-1"})
    assert r.status_code == 400 and "distributed" in r.text


def test_scheduled_scans_rules_and_delete(api):
    post = lambda body: api.call("POST", "/scheduled_scans", user="erin", json_body={
        "env_name": "visible", "log_level": "info", **body})
    assert "scheduled_timestamp" in post({"recurrence": "ONCE"}).text
    past = (api.clock.now - timedelta(hours=1)).isoformat()
    assert post({"recurrence": "DAILY", "scheduled_timestamp": past}).status_code == 400
    future = (api.clock.now + timedelta(hours=1)).isoformat()
    r = post({"recurrence": "ONCE", "scheduled_timestamp": future})
    assert r.status_code == 201
    doc = api.store["scheduled_scans"].find_one({"_id": ObjectId(r.json["id"])})
    assert doc["status"] == "upcoming" and doc["recurrence"] == "ONCE"
    r = api.call("DELETE", "/scheduled_scans", user="erin", query=f"env_name=visible&ids={r.json['id']}")
    assert r.json == {"count": 1}
    ScheduledScans(api.store).add("visible", "HOURLY")
    n = api.store["scheduled_scans"].count_documents({"environment": "visible"})
    r = api.call("DELETE", "/scheduled_scans", user="erin", query="env_name=visible&all=true")
    assert r.json == {"count": n} and n >= 1
    assert api.get("/scheduled_scans", query="env_name=visible").json == {"scheduled_scans": []}
    assert api.store["scheduled_scans"].count_documents({"environment": "hidden"}) == 1  # others untouched


def test_messages_delete_needs_edit_and_counts(api):
    from app.messages import Messages
    Messages(api.store).add("one more", environment="visible")
    assert api.call("DELETE", "/messages", user="alice", query="env_name=visible&all=true").status_code == 403
    r = api.call("DELETE", "/messages", user="erin", query="env_name=visible&all=true")
    assert r.status_code == 200 and r.json["count"] >= 2
    assert api.get("/messages", query="env_name=visible").json == {"messages": []}
    assert api.get("/messages", query="env_name=hidden").json["messages"]


def test_clique_type_rules(api):
    post = lambda body: api.call("POST", "/clique_types", json_body={"name": "t", "focal_point_type": "network",
                                                                     "link_types": ["host_pnic-network"], **body})
    assert "not both" in post({"environment": "visible", "distribution": "Kolla", "distribution_version": "zed"}).text
    assert "Either environment or configuration" in post({}).text
    assert "without distribution" in post({"distribution_version": "zed"}).text
    assert post({"environment": "nowhere"}).status_code == 404
    assert post({"mechanism_drivers": "VPP"}).status_code == 201
    assert "already registered" in post({"mechanism_drivers": "VPP"}).text
    assert post({"use_implicit_links": "yes", "mechanism_drivers": "LXB"}).status_code == 400


def test_link_type_and_constraint_posts(api):
    r = api.call("POST", "/link_types", json_body={"endPointA": "vnic", "endPointB": "vedge", "type": "a-b"})
    assert r.status_code == 400
    r = api.call("POST", "/clique_constraints", json_body={"focal_point_type": "vnic", "constraints": ["colour"]})
    assert r.status_code == 400 and "constraints" in r.text


def test_connection_test_for_a_new_environment(api):
    body = {"environment": "future-env", "test_targets": ["CLI"], "targets_configuration": [
        {"name": "CLI", "host": "10.1.1.1", "user": "root", "key": "/keys/id_rsa"}]}
    assert api.call("POST", "/connection_tests", user="erin", json_body=body).status_code == 403
    r = api.call("POST", "/connection_tests", json_body=body)
    assert r.status_code == 201
    doc = api.store["connection_tests"].find_one({"_id": ObjectId(r.json["id"])})
    assert doc["status"] == "request"  # the original never set it, so API tests never ran
    body["test_targets"] = ["CLI", "mysql"]
    r = api.call("POST", "/connection_tests", json_body=body)
    assert "entry for target 'mysql'" in r.text
    got = api.get("/connection_tests", query="env_name=future-env").json["connection_tests"]
    assert len(got) == 1 and got[0]["status"] == "request"


def test_inventory_filters(api):
    d = api.data["visible"]
    get = lambda q: api.get("/inventory", user="alice", query="env_name=visible&" + q)
    host = get(f"id={d['host']}").json
    assert host["type"] == "host" and host["id_path"] == f"/visible/RegionOne/{d['host']}"
    assert isinstance(host["_id"], str) and isinstance(host["last_scanned"], str)
    assert {o["id"] for o in get(f"parent_id={d['host']}").json["objects"]} == {f"visible-tap{i}" for i in range(3)}
    assert len(get("parent_path=/visible/RegionOne").json["objects"]) == 1
    assert len(get("parent_path=/visible/RegionOne&sub_tree=true").json["objects"]) == 5
    assert len(get("parent_path=/visible/Region.ne&sub_tree=true").json["objects"]) == 0  # no regex injection
    assert len(get("type=vnic").json["objects"]) == 3
    rows = get("type=vnic&projection=mac_address,host").json["objects"]
    assert set(rows[0]) == {"id", "mac_address", "host"}
    assert get(f"id_path=/visible/RegionOne/{d['host']}").json["objects"][0]["id"] == d["host"]
    after = (api.clock.now - timedelta(days=3650)).isoformat()
    assert len(get(f"scanned_after={after}").json["objects"]) == 5
    # without env_name: what the caller may view, nothing else
    ids = {o["environment"] for o in api.get("/inventory", user="alice").json["objects"]}
    assert ids == {"visible"}
    assert api.get("/inventory", user="alice", query="id=" + api.data["hidden"]["host"]).json == {}
    assert api.get("/inventory", user="admin", query="id=" + api.data["hidden"]["host"]).json["id"]


def test_links_and_cliques_filters(api):
    d = api.data["visible"]
    get = lambda path, q: api.get(path, user="alice", query="env_name=visible&" + q)
    assert len(get("/links", f"source_id={d['host']}").json["links"]) == 3
    assert len(get("/links", "target_id=visible-tap1").json["links"]) == 1
    assert len(get("/links", "attributes:network=net-1&link_type=vnic-vconnector").json["links"]) == 3
    assert get("/links", "attributes:network=net-2").json["links"] == []
    assert get("/links", f"id={d['link']}").json["link_type"] == "vnic-vconnector"
    assert get("/links", "id=" + api.data["hidden"]["link"]).json == {}
    assert len(get("/cliques", f"focal_point={d['focal_point']}").json["cliques"]) == 1
    assert len(get("/cliques", f"link_id={d['link']}").json["cliques"]) == 1
    assert len(get("/cliques", "link_type=vnic-vconnector").json["cliques"]) == 1
    agg = api.get("/aggregates", user="alice", query="type=environment&env_name=visible").json
    assert agg["aggregates"]["object_types"] == {"region": 1, "host": 1, "vnic": 3}
    msgs = api.get("/aggregates", user="alice", query="type=message").json["aggregates"]["environments"]
    assert "hidden" not in msgs
