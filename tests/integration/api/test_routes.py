"""Every route against the shared contract (see contract.py), one class per resource."""

from __future__ import annotations

import uuid

from tests.integration.api.conftest import fresh_env_config
from tests.integration.api.contract import Case, RouteContract, q

NO_OID = "0123456789abcdef01234567"


class TestInventory(RouteContract):
    path, list_key, viewer_sees = "/inventory", "objects", 5
    cases = {"GET": Case(q("env_name={env}"))}
    invalid = [("GET", "env_name={env}&sub_tree=maybe", "sub_tree"), ("GET", "env_name={env}&type=spaceship", "type"),
               ("GET", "env_name={env}&page=-1", "page"), ("GET", "env_name={env}&page_size=0", "page_size"),
               ("GET", "env_name={env}&scanned_after=yesterday", "scanned_after"),
               ("GET", "env_name={env}&projection=a$b", "projection"), ("GET", "env_name={env}&all=perhaps", "all"),
               ("GET", "env_name={env}&id=$ne", "id"), ("GET", "env_name={env}&parent_path=no-slash", "parent_path")]


class TestLinks(RouteContract):
    path, list_key, viewer_sees = "/links", "links", 3
    cases = {"GET": Case(q("env_name={env}"))}
    invalid = [("GET", "env_name={env}&id=xyz", "id"), ("GET", "env_name={env}&state=sideways", "state"),
               ("GET", "env_name={env}&link_type=warp-drive", "link_type"),
               ("GET", "env_name={env}&attributes:network=$gt", "attributes:network")]


class TestCliques(RouteContract):
    path, list_key, viewer_sees = "/cliques", "cliques", 1
    cases = {"GET": Case(q("env_name={env}"))}
    invalid = [("GET", "env_name={env}&id=12", "id"), ("GET", "env_name={env}&focal_point=zz", "focal_point"),
               ("GET", "env_name={env}&focal_point_type=bogus", "focal_point_type"),
               ("GET", "env_name={env}&link_id=1", "link_id")]


class TestCliqueTypes(RouteContract):
    path, list_key, viewer_sees = "/clique_types", "clique_types", 0
    cases = {"GET": Case(q("env_name={env}")),
             "POST": Case(q("", lambda env, d: {"name": "vnic-ct", "focal_point_type": "vnic",
                                                "link_types": ["vnic-vconnector"], "environment": env}),
                          admin=True, status=201, mutates=True)}
    invalid = [("GET", "distribution_version=1.0", "distribution_version"),
               ("GET", "link_type=vnic-vconnector&link_type=nope", "link_type"), ("GET", "id=nope", "id")]


class TestCliqueConstraints(RouteContract):
    path, list_key = "/clique_constraints", "clique_constraints"
    cases = {"GET": Case(q(""), env_scoped=False),
             "POST": Case(q("", {"focal_point_type": "vnic", "constraints": ["network"]}), env_scoped=False,
                          admin=True, status=201, mutates=True)}
    invalid = [("GET", "focal_point_type=bogus", "focal_point_type"), ("GET", "id=1", "id")]


class TestLinkTypes(RouteContract):
    path, list_key = "/link_types", "link_types"
    cases = {"GET": Case(q(""), env_scoped=False),
             "POST": Case(q("", {"endPointA": "host", "endPointB": "switch", "description": "test"}),
                          env_scoped=False, admin=True, status=201, mutates=True)}
    invalid = [("GET", "endPointA=bogus", "endPointA"), ("GET", "page_size=x", "page_size")]


class TestMessages(RouteContract):
    path, list_key, viewer_sees = "/messages", "messages", 1
    cases = {"GET": Case(q("env_name={env}")),
             "DELETE": Case(q("env_name={env}&ids=" + NO_OID), write=True)}
    invalid = [("GET", "env_name={env}&level=loud", "level"), ("GET", "env_name={env}&start_time=noon", "start_time"),
               ("GET", "env_name={env}&viewed=often", "viewed"), ("DELETE", "env_name={env}&ids=123", "ids"),
               ("DELETE", "env_name={env}&ids=" + NO_OID + "&all=true", "ids"), ("DELETE", "env_name={env}", "ids")]


class TestScans(RouteContract):
    path, list_key, viewer_sees = "/scans", "scans", 1
    cases = {"GET": Case(q("env_name={env}")),
             "POST": Case(q("", lambda env, d: {"env_name": env, "log_level": "info"}), write=True, status=201,
                          mutates=True)}
    invalid = [("GET", "env_name={env}&status=sleeping", "status"), ("GET", "env_name={env}&latest=2", "latest"),
               ("GET", "env_name={env}&id=x", "id")]


class TestScheduledScans(RouteContract):
    path, list_key, viewer_sees = "/scheduled_scans", "scheduled_scans", 1
    cases = {"GET": Case(q("env_name={env}")),
             "POST": Case(q("", lambda env, d: {"env_name": env, "log_level": "info", "recurrence": "WEEKLY"}),
                          write=True, status=201, mutates=True),
             "DELETE": Case(q("env_name={env}&ids=" + NO_OID), write=True)}
    invalid = [("GET", "env_name={env}&recurrence=SOMETIMES", "recurrence"), ("DELETE", "env_name={env}&all=maybe", "all")]


class TestConstants(RouteContract):
    path = "/constants"
    cases = {"GET": Case(q("name=log_levels&env_name={env}"))}
    invalid = [("GET", "", "name"), ("GET", "name=x&env_name={env}&env_type=OpenStack", "env_type"),
               ("GET", "name=x&env_type=Windows", "env_type")]


class TestMonitoringConfigTemplates(RouteContract):
    path, list_key = "/monitoring_config_templates", "monitoring_config_templates"
    cases = {"GET": Case(q(""), env_scoped=False)}
    invalid = [("GET", "order=first", "order"), ("GET", "side=left", "side")]


class TestAggregates(RouteContract):
    path = "/aggregates"
    cases = {"GET": Case(q("type=environment&env_name={env}"))}
    invalid = [("GET", "", "type"), ("GET", "type=planet", "type"), ("GET", "type=environment", "env_name")]


class TestEnvironmentConfigs(RouteContract):
    path = "/environment_configs"
    cases = {"GET": Case(q("name={env}")),
             "POST": Case(q("", lambda env, d: fresh_env_config(f"new-{uuid.uuid4().hex[:8]}")), env_scoped=False,
                          admin=True, status=201, mutates=True)}
    invalid = [("GET", "listen=sometimes", "listen"), ("GET", "mechanism_drivers=OVS&mechanism_drivers=Nope",
                                                        "mechanism_drivers"), ("GET", "operational=dancing", "operational")]


class TestEnvironmentConfig(RouteContract):
    path, route = "/environment_configs/{env}", "/environment_configs/{name}"

    @staticmethod
    def _put(env, data):
        doc = fresh_env_config(env, {"view-env": ["alice", "erin"], "edit-env": ["erin"]} if env == "visible" else
                               {"view-env": [], "edit-env": []})
        for section in doc["configuration"]:
            section.pop("pwd", None)  # omitted secrets are kept
            section.pop("admin_token", None)
        return doc

    cases = {"GET": Case(q("")), "PUT": Case(lambda env, d: ("", TestEnvironmentConfig._put(env, d)), write=True)}


class TestConnectionTests(RouteContract):
    path, list_key, viewer_sees = "/connection_tests", "connection_tests", 0
    not_viewable = (("alice", "hidden"), ("mallory", "visible"))
    cases = {"GET": Case(q("env_name={env}")),
             "POST": Case(q("", lambda env, d: {"environment": env, "test_targets": ["mysql"], "targets_configuration": [
                 {"name": "mysql", "host": "10.0.0.1", "port": 3306, "user": "root"}]}), write=True, status=201,
                 mutates=True)}
    invalid = [("GET", "env_name={env}&test_targets=Telnet", "test_targets"), ("GET", "env_name={env}&test_results=9",
                                                                               "test_results")]


class TestSearch(RouteContract):
    path, list_key, viewer_sees = "/search", "objects", 1
    cases = {"GET": Case(q("env_name={env}&query=NODE&source=inventory"))}
    invalid = [("GET", "env_name={env}&source=inventory", "query"), ("GET", "env_name={env}&query=x&source=links", "source")]


class TestHealth(RouteContract):
    path = "/health"
    cases = {"GET": Case(q("env_name={env}"))}


class TestTimezone(RouteContract):
    path = "/timezone"
    cases = {"GET": Case(q("env_name={env}"))}


class TestGraph(RouteContract):
    path = "/graph"
    cases = {"GET": Case(q("env_name={env}&type=force_tree"))}
    invalid = [("GET", "env_name={env}&type=clique", "focal_point_id"), ("GET", "env_name={env}&type=pie", "type")]


class TestSchema(RouteContract):
    path = "/schema"
    cases = {"GET": Case(q("type=host"), env_scoped=False)}
    invalid = [("GET", "type=ufo", "type"), ("GET", "", "type")]


class TestUsers(RouteContract):
    path, list_key = "/users", "users"
    cases = {"GET": Case(q(""), env_scoped=False, admin=True),
             "POST": Case(q("", lambda env, d: {"username": f"u{uuid.uuid4().hex[:6]}", "password": "Long-enough-9"}),
                          env_scoped=False, admin=True, status=201, mutates=True)}
    invalid = [("GET", "page=x", "page")]


class TestDiff(RouteContract):
    path = "/diff"
    cases = {"GET": Case(q("env_name={env}&from=2000-01-01T00:00:00Z"))}
    invalid = [("GET", "env_name={env}", "from"), ("GET", "env_name={env}&from=last-tuesday", "from"),
               ("GET", "env_name={env}&from=2000-01-01T00:00:00Z&to=whenever", "to"),
               ("GET", "env_name={env}&from=2000-01-01T00:00:00Z&type=spaceship", "type"),
               ("GET", "env_name={env}&from=2000-01-01T00:00:00Z&limit=0", "limit"),
               ("GET", "env_name={env}&from=2000-01-01T00:00:00Z&id_path=relative", "id_path")]
