"""Environment config validation: for each rule of spec §1.5 and §1.6, a failing document and its message."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from app.envconfig.catalog import Catalog
from app.envconfig.fields import json_schema
from app.envconfig.secrets import REDACTED, keep_secrets, redact
from app.envconfig.validate import validate_environment, validate_sections
from app.errors import Problem, ValidationFailed

GOOD = json.loads((Path(__file__).parents[1] / "fixtures" / "environment_config.json").read_text())
CATALOG = Catalog.from_seed()


def doc(**changes) -> dict:
    d = copy.deepcopy(GOOD)
    for key, value in changes.items():
        if value is DROP:
            d.pop(key, None)
        else:
            d[key] = value
    return d


DROP = object()


def section(d: dict, name: str) -> dict:
    return next(s for s in d["configuration"] if s["name"] == name)


def problems(d) -> list[str]:
    with pytest.raises(ValidationFailed) as e:
        validate_environment(d, CATALOG)
    return [str(p) for p in e.value.problems]


def test_the_sample_is_valid_and_normalised():
    env = validate_environment(doc(), CATALOG)
    assert section(env, "mysql")["port"] == 3306, "ports are stored as integers"
    assert section(env, "CLI")["port"] == 22 and section(env, "OpenStack")["admin_project"] == "admin"
    assert env["scanned"] is False and env["operational"] == "stopped" and env["environment_type"] == "OpenStack"


@pytest.mark.parametrize("change, expected", [
    # 1.6.1 every key must be known
    ({"colour": "red"}, "colour: unknown key"),
    ({"listne": True}, "listne: unknown key (did you mean 'listen'?)"),
    # 1.6.2 mandatory keys, missing or empty
    ({"name": DROP}, "name: is required"),
    ({"distribution": ""}, "distribution: must not be empty"),
    ({"mechanism_drivers": []}, "mechanism_drivers: must not be empty"),
    ({"configuration": DROP}, "configuration: is required"),
    # 1.6.3 types, with coercion of booleans and ports
    ({"listen": "maybe"}, "listen: must be true or false, got 'maybe'"),
    ({"mechanism_drivers": "OVS"}, "mechanism_drivers: must be a list of strings, got 'OVS'"),
    ({"last_scanned": "yesterday"}, "last_scanned: must be an ISO 8601 time, got 'yesterday'"),
    # 1.6.4 values inside the constants lists
    ({"distribution": "Fedora"}, "distribution: 'Fedora' is not one of"),
    ({"mechanism_drivers": ["OVS", "ovs2"]}, "mechanism_drivers[1]: 'ovs2' is not one of"),
    ({"type_drivers": "vxlam"}, "type_drivers: 'vxlam' is not one of local, vlan, vxlan, gre, flat, geneve (did you mean 'vxlan'?)"),
    ({"environment_type": "Openstack"}, "environment_type: 'Openstack' is not one of OpenStack, Kubernetes, VMware, Bare-metal (did you mean 'OpenStack'?)"),
    ({"operational": "up"}, "operational: 'up' is not one of stopped, running, error"),
    # our own: names safe for paths and keys
    ({"name": "my env/1"}, "name: must be 1-64 letters, digits, '_', '-' or '.', starting with a letter or digit"),
    ({"type": "env"}, "type: must be 'environment', got 'env'"),
    # 1.6.10 auth lists
    ({"auth": {"view-env": "alice", "edit-env": []}}, "auth.view-env: must be a list of user names"),
    ({"auth": {"view-env": ["a"]}}, "auth.edit-env: must be a list of user names"),
])
def test_top_level_rules(change, expected):
    found = problems(doc(**change))
    assert any(p.startswith(expected) for p in found), found


def test_every_problem_is_reported_at_once():
    found = problems(doc(name="", distribution="Nope", listen="x", colour=1))
    assert len(found) >= 4, found


def _with_sections(mutate) -> dict:
    d = doc()
    mutate(d["configuration"])
    return d


@pytest.mark.parametrize("mutate, expected", [
    # 1.6.7 sections: a name, known names, no duplicates
    (lambda c: c.append({"host": "x"}), "configuration[4].name: is required"),
    (lambda c: c.append({"name": "OpenStak"}), "configuration[4].name: unknown section 'OpenStak' (did you mean 'OpenStack'?)"),
    (lambda c: c.append(dict(c[1])), "configuration[mysql]: appears more than once"),
    (lambda c: c.append("AMQP"), "configuration[4]: must be an object, got str"),
    # 1.5 mandatory sections for OpenStack
    (lambda c: c.pop(1), "configuration: section mysql is required for an environment of type OpenStack"),
    (lambda c: c.pop(2), "configuration: section CLI is required for an environment of type OpenStack"),
    (lambda c: c.pop(0), "configuration: section OpenStack is required for an environment of type OpenStack"),
    # each section by its own requirement map
    (lambda c: c[0].pop("pwd"), "configuration[OpenStack].pwd: is required"),
    (lambda c: c[0].update(port=70000), "configuration[OpenStack].port: port 70000 is out of range 1-65535"),
    (lambda c: c[0].update(port="50x"), "configuration[OpenStack].port: must be a port number, got '50x'"),
    (lambda c: c[0].update(host="bad host"), "configuration[OpenStack].host: 'bad host' is not an IP address or host name"),
    (lambda c: c[1].update(connect_timeout=0), "configuration[mysql].connect_timeout: must be positive, got 0"),
    (lambda c: c[2].update(key="keys/id_rsa"), "configuration[CLI].key: (a secret value, not shown) is not an absolute path"),
    (lambda c: c[3].update(colour="x"), "configuration[AMQP].colour: unknown key"),
    # CLI needs a password or a key
    (lambda c: c[2].pop("key"), "configuration[CLI]: needs a password (pwd) or a private key file (key)"),
])
def test_section_rules(mutate, expected):
    found = problems(_with_sections(mutate))
    assert any(p.startswith(expected) for p in found), found


def test_listen_requires_amqp():
    d = doc()
    d["configuration"] = [s for s in d["configuration"] if s["name"] != "AMQP"]
    assert "configuration: section AMQP is required because listen is true" in problems(d)
    d["listen"] = False
    validate_environment(d, CATALOG)


def test_monitoring_and_aci_flags_require_their_sections():
    found = problems(doc(enable_monitoring=True, aci_enabled=True))
    assert "configuration: section Monitoring is required because enable_monitoring is true" in found
    assert "configuration: section ACI is required because aci_enabled is true" in found


def test_amqp_url_replaces_host_port_user_pwd():
    d = doc()
    d["configuration"][3] = {"name": "AMQP", "url": "filesystem:///tmp/bus"}
    env = validate_environment(d, CATALOG)
    assert section(env, "AMQP")["url"] == "filesystem:///tmp/bus"


def test_kubernetes_needs_its_own_sections():
    d = doc(environment_type="Kubernetes", listen=False)
    d["configuration"] = [section(d, "CLI")]
    assert "configuration: section Kubernetes is required for an environment of type Kubernetes" in problems(d)


@pytest.mark.parametrize("variant, expected", [
    # 1.6.8 supported_environments
    ({"distribution": "Stratoscale", "distribution_version": "2.1.6", "type_drivers": "vlan"},
     "configuration[AMQP]: listening is not supported for Stratoscale 2.1.6 / OVS / vlan"),
    ({"distribution": "Mirantis", "distribution_version": "9.0", "mechanism_drivers": ["VPP"]},
     "distribution: scanning is not supported for Mirantis 9.0 / VPP / vxlan"),
    ({"distribution": "Mirantis", "distribution_version": "9.0", "mechanism_drivers": ["OVS", "LXB"]},
     "distribution: scanning is not supported for Mirantis 9.0 / LXB / vxlan"),
])
def test_supported_environments(variant, expected):
    found = problems(doc(**variant))
    assert any(p.startswith(expected) for p in found), found


def test_non_object_document():
    with pytest.raises(ValidationFailed) as e:
        validate_environment(["not", "an", "object"], CATALOG)
    assert e.value.problems == [Problem("", "must be a JSON object, got list")]


def test_sections_alone_for_connection_tests():
    sections, found = validate_sections([{"name": "CLI", "host": "h", "user": "u"}], "OpenStack", CATALOG,
                                        check_mandatory=False)
    assert [str(p) for p in found] == ["configuration[CLI]: needs a password (pwd) or a private key file (key)"]


def test_redaction_and_keeping_secrets():
    env = validate_environment(doc(), CATALOG)
    shown = redact(env)
    text = json.dumps(shown)
    for secret in ("Os-Secret-1", "Tok-Secret-2", "Db-Secret-3", "Mq-Secret-4", "/keys/id_rsa"):
        assert secret not in text
    assert section(shown, "OpenStack")["pwd"] == REDACTED
    update = copy.deepcopy(shown)
    section(update, "mysql")["host"] = "10.0.0.2"
    del section(update, "AMQP")["pwd"]
    merged = keep_secrets(update, env)
    assert section(merged, "OpenStack")["pwd"] == "Os-Secret-1" and section(merged, "AMQP")["pwd"] == "Mq-Secret-4"
    assert section(merged, "mysql")["host"] == "10.0.0.2"


def test_json_schema_marks_secrets_write_only():
    schema = json_schema()
    sections = schema["properties"]["configuration"]["items"]["oneOf"]
    openstack = next(s for s in sections if s["properties"]["name"]["const"] == "OpenStack")
    assert openstack["properties"]["pwd"]["writeOnly"] is True
    assert set(schema["required"]) == {"name", "distribution", "distribution_version", "mechanism_drivers",
                                       "type_drivers", "configuration"}


def test_no_problem_quotes_a_secret_value_not_even_a_key_file_path():
    """`calipso env validate` prints these problems: they must redact as `env show` does."""
    marker = "relative/Marker-s3cret-key"

    def mutate(c):
        c[2].update(key=marker)
        c[0].update(pwd=["Marker-s3cret-pwd"])
    found = problems(_with_sections(mutate))
    assert found and not any("Marker-s3cret" in p for p in found), found
