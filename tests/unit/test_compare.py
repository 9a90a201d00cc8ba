"""app.diffing.compare: what a rescan writes and what the change log says of it."""

from __future__ import annotations

from app.diffing import compare, content_hash


def test_only_what_changed_is_read_back_and_a_large_old_value_is_kept_as_a_note():
    ports = [{"name": f"vxlan-{i:04x}", "remote_ip": f"10.0.{i // 250}.{i % 250}"} for i in range(300)]
    stored = [{"_id": i, "type": "vedge", "id": f"v{i}", "tunnel_ports": ports, "mtu": 1450} for i in range(250)]
    index = {d["_id"]: {"_hash": content_hash(d)} for d in stored}
    reads: list[list] = []
    found = {d["_id"]: dict(d) for d in stored}
    found[7] = {**stored[7], "tunnel_ports": ports[:-1], "mtu": 9000}     # a peer gone, and a small change
    found[249]["mtu"] = 1500

    def load(ids):
        reads.append(list(ids))
        return [d for d in stored if d["_id"] in ids]

    cmp = compare(found, index, load)
    assert cmp.unchanged == 248 and [d["_id"] for d, _ in cmp.changed] == [7, 249]
    assert sorted(i for batch in reads for i in batch) == [7, 249]          # nothing unchanged is read back
    fields = cmp.changed[0][1]
    assert fields["mtu"] == (1450, 9000)                                     # small: both values, as they were
    before, after = fields["tunnel_ports"]
    assert before.startswith("<") and "characters, not kept in the change log>" in before
    assert after == ports[:-1]                                               # the document written is whole
