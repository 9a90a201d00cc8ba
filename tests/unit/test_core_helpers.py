"""Pure helpers of the core: key encoding, collection naming, the mongo_config file, paths and folders."""

from __future__ import annotations

import pytest

from app.errors import CalipsoError, ConfigFileError
from app.keyenc import decode, decode_key, encode, encode_key
from app.paths import dynamic_folder, place, plural, root, static_folder
from app.store.mongo_config import parse_mongo_config, uri_from_mongo_config
from app.store.names import CollectionNames
from app.store.store import redact_uri


@pytest.mark.parametrize("key", ["plain", "driver.name", "$where", "a[dot]b", "[lb]", "$x.y[z]", "[dollar]"])
def test_key_encoding_round_trips(key):
    encoded = encode_key(key)
    assert "." not in encoded and not encoded.startswith("$")
    assert decode_key(encoded) == key


def test_key_encoding_is_compatible_with_the_original():
    assert encode_key("binding:host.id") == "binding:host[dot]id"
    assert encode({"a.b": [{"$c": 1}]}) == {"a[dot]b": [{"[dollar]c": 1}]}
    assert decode({"a[dot]b": {"x[dot]y": 1}}) == {"a.b": {"x.y": 1}}


@pytest.mark.parametrize("doc, stored", [
    ({"ports": {"p1": {"options": {"ip": "10.0.0.1"}}}, "l": [1, "x"]},
     {"ports": {"p1": {"options": {"ip": "10.0.0.1"}}}, "l": [1, "x"]}),       # values with dots are no keys
    ({"a": {"b": [{"c": {"eth0.100": 1}}]}}, {"a": {"b": [{"c": {"eth0[dot]100": 1}}]}}),
    ({"a": [[{"$x": 1}]]}, {"a": [[{"[dollar]x": 1}]]}),
    ({"a": {"x$": 1, "y": {"$z": 2}}}, {"a": {"x$": 1, "y": {"[dollar]z": 2}}}),
    ({"a": {7: "seven", "b[0]": 1}}, {"a": {"7": "seven", "b[lb]0]": 1}}),
])
def test_every_key_at_any_depth_is_encoded_and_a_clean_document_is_left_as_it_is(doc, stored):
    out = encode(doc)
    assert out == stored and out is not doc
    if 7 not in doc.get("a", {}):      # a number key is stored as text, so it reads back as text
        assert decode(out) == doc


@pytest.mark.parametrize("inventory, collection, expected", [
    ("inventory", "links", "links"),
    ("inventory_dev", "links", "links_dev"),
    ("inventory_dev", "inventory", "inventory_dev"),
    ("RDO", "cliques", "RDO_cliques"),
    ("RDO", "inventory", "RDO"),
    ("RDO", "environments_config", "environments_config"),
    ("RDO", "scans", "scans"),
])
def test_collection_prefix_rule(inventory, collection, expected):
    assert CollectionNames(inventory)(collection) == expected


def test_bad_inventory_name():
    with pytest.raises(ValueError):
        CollectionNames("bad$name")


def test_mongo_config_file(tmp_path):
    f = tmp_path / "mongo.conf"
    f.write_text("# Calipso\nserver 10.0.0.5\nport 27018\nuser calipso\npassword p@ss word\nauth_db admin\n")
    values = parse_mongo_config(f)
    assert values["pwd"] == "p@ss word", "the original sample's 'password' key is accepted"
    uri = uri_from_mongo_config(values)
    assert uri == "mongodb://calipso:p%40ss+word@10.0.0.5:27018/calipso?authSource=admin"
    assert redact_uri(uri) == "mongodb://calipso:****@10.0.0.5:27018/calipso?authSource=admin"


@pytest.mark.parametrize("text, message", [
    ("port 27017\n", "no 'server' line"),
    ("server\n", ":1: expected 'key value'"),
    ("server h\nport abc\n", "port 'abc' is not a number"),
])
def test_mongo_config_errors(tmp_path, text, message):
    f = tmp_path / "m.conf"
    f.write_text(text)
    with pytest.raises(ConfigFileError, match=message):
        parse_mongo_config(f)


def test_place_builds_paths_and_names():
    r = root("E")
    folder = place(static_folder(r, "projects"), r, "E")
    assert (folder["id"], folder["name"], folder["type"]) == ("E-projects", "Projects", "projects_folder")
    proj = place({"id": " p1 ", "name": "", "type": "project"}, folder, "E")
    assert proj["id"] == "p1" and proj["name"] == "p1", "blank names fall back to the id"
    assert proj["id_path"] == "/E/E-projects/p1" and proj["name_path"] == "/E/Projects/p1"
    assert proj["parent_id"] == "E-projects" and proj["parent_type"] == "projects_folder"


def test_place_keeps_an_explicit_parent_and_refuses_bad_ids():
    r = root("E")
    o = place({"id": "h", "type": "host", "parent_id": "nova", "parent_type": "availability_zone"}, r, "E")
    assert o["parent_id"] == "nova"
    with pytest.raises(CalipsoError, match="has no id"):
        place({"id": "", "type": "host"}, r, "E")
    with pytest.raises(CalipsoError, match="contains '/'"):
        place({"id": "a/b", "type": "host"}, r, "E")


def test_dynamic_folders_use_real_plurals_and_a_label_name():
    region = {"id": "RegionOne", "type": "region"}
    f = dynamic_folder(region, "availability_zone")
    assert (f["id"], f["type"], f["text"]) == ("RegionOne-availability_zones", "availability_zones_folder", "Availability Zones")
    assert plural("switch") == "switches" and plural("policy") == "policies" and plural("vnic") == "vnics"


def test_synthetic_keys_join_text_and_anything_else_alike():
    from bson import ObjectId

    from app.store.keys import k
    oid = ObjectId("0123456789abcdef01234567")
    assert k("env", "vedge", "cmp-1-OVS") == "env|vedge|cmp-1-OVS"
    assert k("env", None, 3, oid) == "env||3|0123456789abcdef01234567"
