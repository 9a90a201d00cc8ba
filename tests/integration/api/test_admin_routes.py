"""The administration routes the web UI's admin screens use, against the shared route contract.

Editing and deleting link types, clique types and clique constraints (admin), the clique
preview, message counters and "viewed", and the caller's own settings.
"""

from __future__ import annotations

import pytest
from bson import ObjectId

from tests.integration.api.contract import Case, RouteContract, q

LINK_TYPE = ObjectId("5f00000000000000000000a1")
CLIQUE_TYPE = ObjectId("5f00000000000000000000b2")
CONSTRAINT = ObjectId("5f00000000000000000000c3")
SCHEDULE = ObjectId("5f00000000000000000000d4")
NO_OID = "0123456789abcdef01234567"


@pytest.fixture(scope="module", autouse=True)
def catalogue(api):
    api.store["link_types"].insert_one({"_id": LINK_TYPE, "type": "host-switch", "endPointA": "host",
                                        "endPointB": "switch", "description": "contract"})
    api.store["clique_types"].insert_one({"_id": CLIQUE_TYPE, "name": "contract-ct", "environment": "visible",
                                          "focal_point_type": "vnic", "link_types": ["vnic-vconnector"]})
    api.store["clique_constraints"].insert_one({"_id": CONSTRAINT, "environment": "visible",
                                                "focal_point_type": "vnic", "constraints": ["network"]})
    api.store["scheduled_scans"].insert_one({"_id": SCHEDULE, "environment": "visible", "recurrence": "DAILY",
                                             "log_level": "info", "status": "upcoming",
                                             "scheduled_timestamp": api.clock.now})


class TestLinkType(RouteContract):
    path, route = f"/link_types/{LINK_TYPE}", "/link_types/{id}"
    cases = {"GET": Case(q(""), env_scoped=False),
             "PUT": Case(q("", {"endPointA": "host", "endPointB": "switch", "description": "changed"}),
                         env_scoped=False, admin=True, mutates=True),
             "DELETE": Case(q(""), env_scoped=False, admin=True, mutates=True)}
    invalid = [("PUT", "", "endPointA")]

    def test_400_names_each_invalid_parameter(self, api):
        r = api.call("PUT", self.path, json_body={"endPointA": "spaceship", "endPointB": "switch"})
        assert r.status_code == 400 and "endPointA" in [p["parameter"] for p in r.json["error"]["problems"]]


class TestCliqueType(RouteContract):
    path, route = f"/clique_types/{CLIQUE_TYPE}", "/clique_types/{id}"
    cases = {"GET": Case(q(""), env_scoped=False),
             "PUT": Case(q("", {"name": "contract-ct", "environment": "visible", "focal_point_type": "vnic",
                                "link_types": ["vnic-vconnector", "vconnector-vedge"]}),
                         env_scoped=False, admin=True, mutates=True),
             "DELETE": Case(q(""), env_scoped=False, admin=True, mutates=True)}

    def test_400_names_each_invalid_parameter(self, api):
        oid = api.store["clique_types"].insert_one({"name": "ct-400", "environment": "hidden",
                                                    "focal_point_type": "host", "link_types": []}).inserted_id
        r = api.call("PUT", f"/clique_types/{oid}", json_body={"name": "x", "environment": "visible", "focal_point_type": "vnic",
                                                  "link_types": ["warp-drive"]})
        assert r.status_code == 400 and "link_types" in [p["parameter"] for p in r.json["error"]["problems"]]


class TestCliqueConstraint(RouteContract):
    path, route = f"/clique_constraints/{CONSTRAINT}", "/clique_constraints/{id}"
    cases = {"GET": Case(q(""), env_scoped=False),
             "PUT": Case(q("", {"environment": "visible", "focal_point_type": "vnic", "constraints": ["network"]}),
                         env_scoped=False, admin=True, mutates=True),
             "DELETE": Case(q(""), env_scoped=False, admin=True, mutates=True)}

    def test_400_names_each_invalid_parameter(self, api):
        oid = api.store["clique_constraints"].insert_one({"focal_point_type": "host", "constraints": []}).inserted_id
        r = api.call("PUT", f"/clique_constraints/{oid}", json_body={"focal_point_type": "vnic", "constraints": ["colour"]})
        assert r.status_code == 400 and "constraints" in [p["parameter"] for p in r.json["error"]["problems"]]


class TestCliquePreview(RouteContract):
    path = "/clique_types/preview"
    cases = {"POST": Case(q("", lambda env, d: {"env_name": env, "focal_point": d["host"],
                                                 "link_types": ["vnic-vconnector"]}))}

    def test_400_names_each_invalid_parameter(self, api):
        d = api.data["visible"]
        for body, param in (({"env_name": "visible", "focal_point": "nowhere", "link_types": ["vnic-vconnector"]}, "focal_point"),
                            ({"env_name": "visible", "focal_point": d["host"], "link_types": ["x-y"]}, "link_types"),
                            ({"env_name": "visible", "focal_point": d["host"], "focal_point_type": "vnic",
                              "link_types": ["vnic-vconnector"]}, "focal_point"),
                            ({"env_name": "visible", "link_types": ["vnic-vconnector"]}, "focal_point")):
            r = api.call("POST", self.path, json_body=body)
            assert r.status_code == 400, (body, r.text)
            assert param in [p["parameter"] for p in r.json["error"]["problems"]], r.json


class TestScheduledScan(RouteContract):
    path, route = f"/scheduled_scans/{SCHEDULE}", "/scheduled_scans/{id}"
    cases = {"GET": Case(q(""), env_scoped=False),
             "PUT": Case(q("", {"env_name": "visible", "recurrence": "HOURLY", "log_level": "debug"}),
                         env_scoped=False, write=True, mutates=True),
             "DELETE": Case(q(""), env_scoped=False, write=True, mutates=True)}

    def test_400_names_each_invalid_parameter(self, api):
        oid = api.store["scheduled_scans"].insert_one({"environment": "visible", "recurrence": "DAILY"}).inserted_id
        for body, param in (({"env_name": "visible", "recurrence": "SOMETIMES", "log_level": "info"}, "recurrence"),
                            ({"env_name": "hidden", "recurrence": "DAILY", "log_level": "info"}, "env_name"),
                            ({"env_name": "visible", "recurrence": "ONCE", "log_level": "info"}, "scheduled_timestamp")):
            r = api.call("PUT", f"/scheduled_scans/{oid}", user="erin", json_body=body)
            assert r.status_code == 400, (body, r.text)
            assert param in [p["parameter"] for p in r.json["error"]["problems"]], r.json

    def test_404_for_environment_caller_may_not_view(self, api):
        oid = api.store["scheduled_scans"].insert_one({"environment": "visible", "recurrence": "DAILY"}).inserted_id
        for method in ("GET", "DELETE"):
            assert api.call(method, f"/scheduled_scans/{oid}", user="mallory").status_code == 404


class TestMessageCounts(RouteContract):
    path = "/messages/counts"
    cases = {"GET": Case(q("env_name={env}"))}
    invalid = [("GET", "env_name={env}&level=loud", "level"), ("GET", "viewed=perhaps", "viewed"),
               ("GET", "start_time=noon", "start_time")]


class TestMessagesViewed(RouteContract):
    path = "/messages/viewed"
    cases = {"POST": Case(q("", lambda env, d: {"env_name": env, "ids": [NO_OID]}))}

    def test_400_names_each_invalid_parameter(self, api):
        for body, param in (({"env_name": "visible"}, "ids"), ({"env_name": "visible", "ids": [], "all": True}, "ids"),
                            ({"env_name": "visible", "all": "yes"}, "all"), ({"ids": [NO_OID]}, "env_name")):
            r = api.call("POST", self.path, json_body=body)
            assert r.status_code == 400, (body, r.text)
            assert param in [p["parameter"] for p in r.json["error"]["problems"]], r.json


class TestUserSettings(RouteContract):
    path = "/user_settings"
    cases = {"GET": Case(q(""), env_scoped=False),
             "PUT": Case(q("", {"page_size": 50, "time_zone": "Europe/Paris"}), env_scoped=False, mutates=True)}

    def test_400_names_each_invalid_parameter(self, api):
        for body, param in (({"page_size": 0}, "page_size"), ({"page_size": "50"}, "page_size"),
                            ({"time_zone": "Mars/Olympus"}, "time_zone"), ({"messages_backward_days": -1},
                                                                           "messages_backward_days")):
            r = api.call("PUT", self.path, user="alice", json_body=body)
            assert r.status_code == 400, (body, r.text)
            assert param in [p["parameter"] for p in r.json["error"]["problems"]], r.json


class TestSupportedEnvironments(RouteContract):
    path, list_key = "/supported_environments", "supported_environments"
    cases = {"GET": Case(q("distribution=Mirantis"), env_scoped=False)}
    invalid = [("GET", "distribution=Windows", "distribution")]

    def test_lists_features_per_variant(self, api):
        rows = api.get("/supported_environments", user="alice", query="distribution=Mirantis").json["supported_environments"]
        assert rows and all(r["environment"]["distribution"] == "Mirantis" and "listening" in r["features"] for r in rows)
