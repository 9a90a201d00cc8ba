"""Template selection, ordered merge, placeholder filling and quoting; the reversible id encoding;
check-name decoding by longest known type."""

from __future__ import annotations

import random
import shlex

import pytest

from app.store.seed import load_seed
from monitoring.ids import decode_id, encode_id, valid_check_name
from monitoring.results.events import BadEvent
from monitoring.results.names import decode
from monitoring.templates import Template, TemplateError, TemplateSet, condition_matches, from_document

OBJECT_TYPES = [d["value"] for c in load_seed("constants") if c["name"] == "object_types" for d in c["data"]]
LINK_TYPES = [d["value"] for c in load_seed("constants") if c["name"] == "link_types" for d in c["data"]]


@pytest.mark.parametrize("value", ["fa:16:3e:00:00:01", "a/b:c", "---..58..---", "a----..58..---", "x y;rm -rf /",
                                   "compute_1", "ünï", "", "-", "..", "---..", "eth0-52:54:00:c3:ec:3a"])
def test_encoding_round_trips_and_is_a_valid_check_name(value):
    for part in (True, False):
        e = encode_id(value, part)
        assert decode_id(e) == value
        assert e == "" or valid_check_name(e)


def test_encoding_is_the_originals_for_colons_and_slashes():
    assert encode_id("aa:bb/c") == "aa---..58..---bb---..47..---c"


def test_encoding_round_trips_random_text():
    rng = random.Random(7)
    for _ in range(20000):
        s = "".join(rng.choice("-._:/a5 _") for _ in range(rng.randint(0, 16)))
        assert decode_id(encode_id(s)) == s


def test_conditions():
    env = {"mechanism_drivers": ["OVS"], "environment_type": "OpenStack"}
    assert condition_matches(None, env)
    assert condition_matches({"mechanism_drivers": ["OVS", "LXB"]}, env)
    assert not condition_matches({"mechanism_drivers": ["VPP"]}, env)
    assert condition_matches({"environment_type": "OpenStack"}, env)
    assert not condition_matches("VPP", env)   # not an object: never applies


def test_order_merges_deeply_and_an_environment_template_wins():
    ts = [Template("client", "x.json", 1, {"a": {"b": 1, "c": 2}}),
          Template("client", "x.json", 2, {"a": {"c": 3}}),
          Template("client", "x.json", 2, {"a": {"d": 4}}, environment="e1"),
          Template("client", "x.json", 3, {"z": 1}, condition={"mechanism_drivers": ["VPP"]})]
    assert TemplateSet(ts, {"name": "e1", "mechanism_drivers": ["OVS"]}).render("client", "x.json", {}) == \
        {"a": {"b": 1, "c": 3, "d": 4}}
    assert TemplateSet(ts, {"name": "e2", "mechanism_drivers": ["VPP"]}).render("client", "x.json", {}) == \
        {"a": {"b": 1, "c": 3}, "z": 1}


def test_placeholders_keys_numbers_quoting_and_missing_values():
    t = TemplateSet([Template("client", "c.json", 1, {"checks": {"v_{objid}": {
        "command": "check.py {name} --x", "port": "{port}", "text": "at {port}"}}})], {"name": "e"})
    out = t.render("client", "c.json", {"objid": "a1", "name": "br; rm -rf / #", "port": 5671})
    check = out["checks"]["v_a1"]
    assert shlex.split(check["command"]) == ["check.py", "br; rm -rf / #", "--x"]
    assert check["port"] == 5671 and check["text"] == "at 5671"
    with pytest.raises(TemplateError, match=r"\{name\}"):
        t.render("client", "c.json", {"objid": "a1", "port": 1})


def test_every_shipped_template_loads():
    docs = load_seed("monitoring_config_templates")
    assert {d["type"] for d in docs} >= {"client.json", "rabbitmq.json", "transport.json", "handlers.json",
                                         "client_check_otep.json", "client_check_link_vnic-vconnector.json"}
    for d in docs:
        from_document(d)


@pytest.mark.parametrize("name,expected", [
    ("host_pnic_eth0-52---..58..---54", ("object", "host_pnic", "eth0-52:54", "", "", "")),
    ("host_abc", ("object", "host", "abc", "", "", "")),
    ("vedge_7d1c0b9e-0000", ("object", "vedge", "7d1c0b9e-0000", "", "", "")),
    ("otep_ctl-1-otep_vxlan-ac100003", ("object", "otep", "ctl-1-otep", "", "vxlan-ac100003", "")),
    ("instance_e2dc---..95..---x_vm", ("object", "instance", "e2dc_x", "", "", "vm")),
    ("link_vedge-host_pnic_v1_eth2-52---..58..---54", ("link", "vedge-host_pnic", "v1", "eth2-52:54", "", "")),
    ("link_vnic-vconnector_cmp---..95..---1-tap1_cmp-1-qbr1", ("link", "vnic-vconnector", "cmp_1-tap1",
                                                               "cmp-1-qbr1", "", "")),
])
def test_check_names_decode_by_the_longest_known_type(name, expected):
    t = decode(name, OBJECT_TYPES, LINK_TYPES)
    assert (t.kind, t.type, t.id, t.target_id, t.part, t.subtype) == expected


@pytest.mark.parametrize("name", ["keepalive", "link_nosuch_a_b", "link_vnic-vconnector_onlyone", "vedge_"])
def test_undecodable_names_say_why(name):
    with pytest.raises(BadEvent):
        decode(name, OBJECT_TYPES, LINK_TYPES)
