"""Packed tunnel ports (app.packed) read, hash and store exactly as the plain list of dicts they stand for."""

from __future__ import annotations

from app.diffing import canonical_bytes, content_hash
from app.keyenc import encode
from app.packed import PackedDicts, pack


def ports(n: int) -> list[dict]:
    out = [{"name": f"vxlan-0a0000{i:02x}", "interface": f"vxlan-0a0000{i:02x}", "type": "vxlan",
            "options": {"df_default": "true", "local_ip": "10.0.0.1", "remote_ip": f"10.0.0.{i}"}}
           for i in range(2, n + 2)]
    out[3] = {"name": "gre-1", "type": "gre", "options": {"remote_ip": "10.9.9.9", "key": ("a", "b")}, "tag": None}
    return out


def test_a_packed_list_reads_as_the_list_it_was_made_from():
    plain = ports(40)
    packed = pack(plain)
    assert isinstance(packed, PackedDicts)
    assert packed == plain and list(packed) == plain and packed[3] == plain[3] and packed[-1] == plain[-1]
    assert packed[1:3] == plain[1:3] and len(packed) == 40 and bool(packed)
    packed[0]["name"] = "changed"          # an item read is a copy: the packed list stays as it was
    assert packed[0]["name"] == "vxlan-0a000002"


def test_a_document_holding_a_packed_list_hashes_and_stores_as_the_plain_one():
    plain = {"id": "h1-OVS", "type": "vedge", "tunnel_ports": ports(40), "ports": [{"id": "1", "name": "br-int"}]}
    packed = dict(plain, tunnel_ports=pack(plain["tunnel_ports"]))
    assert canonical_bytes(packed) == canonical_bytes(plain)
    assert content_hash(packed) == content_hash(plain)
    stored = encode(packed)
    assert type(stored["tunnel_ports"]) is list and stored == plain
    assert encode({"fields": {"tunnel_ports": [[], packed["tunnel_ports"]]}}) == \
        {"fields": {"tunnel_ports": [[], plain["tunnel_ports"]]}}     # the change log's before and after


def test_empty_lists_and_keys_the_store_would_rewrite_stay_plain():
    assert pack([]) == [] and type(pack([])) is list
    dotted = ports(40)
    dotted[5]["options"]["csum.tx"] = "true"
    assert type(pack(dotted)) is list
    listed = ports(40)
    listed[7]["bfd"] = [{"$status": "up"}]          # a key to rewrite inside a list inside a port
    assert type(pack(listed)) is list
