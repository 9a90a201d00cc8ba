"""Implicit links (spec §4.5): transitive closure by link type, stopped by clique constraints."""

from __future__ import annotations

from bson import ObjectId

from scan.links.base import LinkIndex
from scan.links.implicit import FindImplicitLinks


def node(t, i):
    return {"_id": ObjectId(), "type": t, "id": i, "environment": "e"}


def test_closure_builds_instance_to_network_and_respects_the_network_constraint():
    inst, vnic, vc, pnic, net1, net2 = (node("instance", "i"), node("vnic", "v"), node("vconnector", "c"),
                                        node("host_pnic", "p"), node("network", "n1"), node("network", "n2"))
    idx = LinkIndex({"name": "e"}, [inst, vnic, vc, pnic, net1, net2])
    idx.link(inst, vnic, attributes={"network": "n1"})
    idx.link(vnic, vc, attributes={"network": "n1"})
    idx.link(vc, pnic)
    idx.link(pnic, net1, attributes={"network": "n1"})
    idx.link(pnic, net2, attributes={"network": "n2"})
    FindImplicitLinks(["network"]).find(idx)
    implicit = {(l["link_type"], l["source_id"], l["target_id"]) for l in idx.links if l["implicit"]}
    assert ("instance-network", "i", "n1") in implicit
    assert ("instance-network", "i", "n2") not in implicit          # other network: blocked
    assert ("vconnector-network", "c", "n2") in implicit            # no constraint on vconnector-host_pnic
    assert all(l["source_id"] != l["target_id"] for l in idx.links)
