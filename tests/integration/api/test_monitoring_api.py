"""Monitoring through the API: the generated configuration for editors only, secrets redacted; status
fields in inventory and link listings; /metrics in the Prometheus text format, per viewable environment."""

from __future__ import annotations

import time

from prometheus_client.parser import text_string_to_metric_families

from monitoring import config_store
from monitoring.generate import Generated
from monitoring.results.processor import Processor


def _store_config(api, env: str) -> None:
    gen = Generated(server={"rabbitmq.json": {"rabbitmq": {"password": "RbPw-9d1e", "user": "sensu"}}},
                    hosts={f"{env}-node-1": {"rabbitmq.json": {"rabbitmq": {"password": "RbPw-9d1e", "port": 5671}},
                                             "client.json": {"client": {"name": f"{env}-{env}-node-1"},
                                                             "checks": {"vnic_x": {"command": "check.py a.b"}}}}})
    config_store.save(api.store, env, "10.0.0.9", gen, api.clock())


def test_monitoring_config_is_for_editors_with_secrets_redacted(api):
    _store_config(api, "visible")
    r = api.get("/monitoring_config", "erin", "env_name=visible")
    assert r.status_code == 200, r.text
    docs = r.json["monitoring_config"]
    assert {(d["host"], d["type"]) for d in docs} == {("10.0.0.9", "rabbitmq.json"), ("visible-node-1", "rabbitmq.json"),
                                                      ("visible-node-1", "client.json")}
    assert "RbPw-9d1e" not in r.text and "<redacted>" in r.text
    client = next(d for d in docs if d["type"] == "client.json")
    assert "vnic_x" in client["config"]["checks"]   # check names with dots survive the store's key encoding
    assert api.get("/monitoring_config", "alice", "env_name=visible").status_code == 403   # viewer, not editor
    assert api.get("/monitoring_config", "erin", "env_name=hidden").status_code == 404


def _result(api, env: str, vnic: str, status: int) -> None:
    # results are taken only for an environment with monitoring on
    api.store["environments_config"].update_one({"name": env}, {"$set": {"enable_monitoring": True}})
    body = {"client": {"name": f"{env}-node", "environment": env},
            "check": {"name": f"vnic_{vnic}", "status": status, "output": "seen", "executed": time.time()}}
    assert Processor(api.store, api.clock).handle_bodies([body]).handled == 1


def test_status_fields_in_listings_and_metrics(api):
    vnic = api.data["visible"]["vnic"]
    _result(api, "visible", vnic, 1)
    r = api.get("/inventory", "alice", "env_name=visible&type=vnic")
    listed = {o["id"]: o for o in r.json["objects"]}
    assert listed[vnic]["status"] == "Warning" and listed[vnic]["status_value"] == 1
    r = api.get("/metrics", "alice")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/plain")
    families = {f.name: f for f in text_string_to_metric_families(r.text)}
    samples = {(s.labels.get("environment"), s.labels.get("type"), s.labels.get("status")): s.value
               for s in families["calipso_inventory_objects"].samples}
    assert samples[("visible", "vnic", "Warning")] == 1 and samples[("visible", "vnic", "none")] == 2
    assert not any(labels[0] == "hidden" for labels in samples)   # alice may not view it
    ages = [s for s in families["calipso_check_result_age_seconds"].samples if s.labels["type"] == "vnic"]
    assert ages and ages[0].value >= 0
    assert "calipso_failed_events" in families and "calipso_links" in families
    assert api.get("/metrics", None).status_code == 401
